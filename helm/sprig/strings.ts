import type { TemplateFunc } from "../template/exec";
import { isNil, truth } from "../template/values";
import { str } from "./convert";

const toInt = (v: unknown): number => (typeof v === "bigint" ? Number(v) : Number(v ?? 0));

/** Sprig's string, default and dict helpers that charts lean on, with Sprig's argument order. */
export const sprigStrings: Record<string, TemplateFunc> = {
  default: (fallback, ...given) => {
    const value = given[0];
    return given.length === 0 || !truth(value) ? fallback : value;
  },
  empty: (v) => !truth(v),
  quote: (...values) =>
    values
      .filter((v) => !isNil(v))
      .map((v) => JSON.stringify(str(v)))
      .join(" "),
  squote: (...values) =>
    values
      .filter((v) => !isNil(v))
      .map((v) => `'${str(v)}'`)
      .join(" "),
  indent: (spaces, s) => {
    const pad = " ".repeat(toInt(spaces));
    return pad + str(s).replaceAll("\n", `\n${pad}`);
  },
  nindent: (spaces, s) => {
    const pad = " ".repeat(toInt(spaces));
    return `\n${pad}${str(s).replaceAll("\n", `\n${pad}`)}`;
  },
  trunc: (length, s) => {
    const n = toInt(length);
    const text = str(s);
    if (n < 0) return text.length + n > 0 ? text.slice(text.length + n) : text;
    return text.length > n ? text.slice(0, n) : text;
  },
  trim: (s) => str(s).trim(),
  trimSuffix: (suffix, s) =>
    str(s).endsWith(str(suffix)) ? str(s).slice(0, -str(suffix).length || undefined) : str(s),
  trimPrefix: (prefix, s) => (str(s).startsWith(str(prefix)) ? str(s).slice(str(prefix).length) : str(s)),
  replace: (from, to, s) => str(s).replaceAll(str(from), str(to)),
  contains: (sub, s) => str(s).includes(str(sub)),
  hasPrefix: (prefix, s) => str(s).startsWith(str(prefix)),
  hasSuffix: (suffix, s) => str(s).endsWith(str(suffix)),
  join: (sep, items) => (Array.isArray(items) ? items.map(str).join(str(sep)) : str(items)),
};
