import type { TemplateFunc } from "../template/exec";
import { isNil, truth, typeName } from "../template/values";
import { str, toInt64 } from "./convert";
import { deepEqual } from "./lists";

const words = (s: string) => s.split(/[\s_-]+|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean);

/** Go's regexp syntax is RE2; JavaScript understands the patterns charts use, named groups aside. */
const regex = (pattern: unknown, flags = "") => new RegExp(str(pattern).replace(/\(\?P</g, "(?<"), flags);

/** Go's Regexp.Expand templates ($1, ${1}, ${name}) as JavaScript replacement patterns. */
const expansion = (repl: string) =>
  repl.replace(/\$\{(\w+)\}/g, (_m, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`));

function splitMap(parts: string[]): Record<string, string> {
  return Object.fromEntries(parts.map((p, i) => [`_${i}`, p]));
}

/** Sprig's other string, regex, flow and type functions. */
export const sprigText: Record<string, TemplateFunc> = {
  untitle: (s) => str(s).replace(/(^|\s)(\p{Lu})/gu, (_m, sep: string, c: string) => sep + c.toLowerCase()),
  camelcase: (s) =>
    words(str(s))
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(""),
  snakecase: (s) =>
    words(str(s))
      .map((w) => w.toLowerCase())
      .join("_"),
  kebabcase: (s) =>
    words(str(s))
      .map((w) => w.toLowerCase())
      .join("-"),
  swapcase: (s) =>
    [...str(s)].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""),
  substr: (start, end, s) => {
    const text = str(s);
    const a = Number(toInt64(start));
    const b = Number(toInt64(end));
    if (a < 0) return text.slice(0, b);
    if (b < 0 || b > text.length) return text.slice(a);
    return text.slice(a, b);
  },
  nospace: (s) => str(s).replace(/\s+/g, ""),
  abbrev: (width, s) => {
    const text = str(s);
    const n = Number(toInt64(width));
    return n < 4 || text.length <= n ? text : `${text.slice(0, n - 3)}...`;
  },
  initials: (s) =>
    str(s)
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => w.charAt(0))
      .join(""),
  wrap: (width, s) => wrapText(str(s), Number(toInt64(width)), "\n"),
  wrapWith: (width, sep, s) => wrapText(str(s), Number(toInt64(width)), str(sep)),
  cat: (...values) =>
    values
      .filter((v) => !isNil(v))
      .map(str)
      .join(" "),
  split: (sep, s) => splitMap(str(s).split(str(sep))),
  splitList: (sep, s) => str(s).split(str(sep)),
  splitn: (sep, n, s) => {
    const parts = str(s).split(str(sep));
    const count = Number(toInt64(n));
    return splitMap(
      count > 0 && parts.length > count
        ? [...parts.slice(0, count - 1), parts.slice(count - 1).join(str(sep))]
        : parts,
    );
  },
  trimAll: (cutset, s) => {
    const set = new Set(str(cutset));
    const chars = [...str(s)];
    let a = 0;
    let b = chars.length;
    while (a < b && set.has(chars[a] as string)) a++;
    while (b > a && set.has(chars[b - 1] as string)) b--;
    return chars.slice(a, b).join("");
  },
  plural: (one, many, count) => (toInt64(count) === 1n ? str(one) : str(many)),
  regexMatch: (pattern, s) => regex(pattern).test(str(s)),
  regexFind: (pattern, s) => regex(pattern).exec(str(s))?.[0] ?? "",
  regexFindAll: (pattern, s, n) => {
    const all = [...str(s).matchAll(regex(pattern, "g"))].map((m) => m[0]);
    const count = Number(toInt64(n));
    return count < 0 ? all : all.slice(0, count);
  },
  regexReplaceAll: (pattern, s, repl) => str(s).replace(regex(pattern, "g"), expansion(str(repl))),
  regexReplaceAllLiteral: (pattern, s, repl) => str(s).replace(regex(pattern, "g"), () => str(repl)),
  regexSplit: (pattern, s, n) => {
    const all = str(s).split(regex(pattern));
    const count = Number(toInt64(n));
    return count < 0 ? all : all.slice(0, count);
  },
  regexQuoteMeta: (s) => str(s).replace(/[\\.+*?()|[\]{}^$]/g, "\\$&"),
  ternary: (whenTrue, whenFalse, condition) => (truth(condition) ? whenTrue : whenFalse),
  coalesce: (...values) => values.find(truth) ?? null,
  all: (...values) => values.every(truth),
  any: (...values) => values.some(truth),
  typeOf: (v) => typeName(v),
  typeIs: (name, v) => typeName(v) === str(name),
  kindOf: (v) => kindName(v),
  kindIs: (name, v) => kindName(v) === str(name),
  deepEqual: (a, b) => deepEqual(a, b),
};

function kindName(v: unknown): string {
  const type = typeName(v);
  if (type.startsWith("[]")) return "slice";
  if (type.startsWith("map[")) return "map";
  if (type === "<nil>") return "invalid";
  return ["bool", "float64", "int64", "string", "func"].includes(type) ? type : "struct";
}

/** Word-wrapping at `width` columns, words never split (Sprig's wrap). */
function wrapText(text: string, width: number, sep: string): string {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join(sep);
}
