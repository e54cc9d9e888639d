import { randomInt } from "node:crypto";
import type { TemplateFunc } from "../template/exec";
import { isNil, truth, typeName } from "../template/values";
import { str, toInt64 } from "./convert";
import { deepEqual } from "./lists";

const words = (s: string) => s.split(/[\s_-]+|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean);

/** Go's regexp syntax is RE2; JavaScript understands the patterns charts use, named groups aside. */
const regex = (pattern: unknown, flags = "") => {
  try {
    return new RegExp(str(pattern).replace(/\(\?P</g, "(?<"), flags);
  } catch (e) {
    throw new Error(
      `error parsing regexp: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`,
    );
  }
};

/** regexp.MustCompile's panic, which the non-must regex functions end with on a bad pattern. */
const mustCompile = (pattern: unknown, flags = "") => {
  try {
    return regex(pattern, flags);
  } catch (e) {
    throw new Error(`regexp: Compile(${JSON.stringify(str(pattern))}): ${(e as Error).message}`);
  }
};

/** goutils.AbbreviateFull. */
function abbreviate(s: string, offset: number, width: number): string {
  if (s === "" || width < 4) return s === "" ? "" : "";
  if (s.length <= width) return s;
  let off = Math.min(offset, s.length);
  if (s.length - off < width - 3) off = s.length - (width - 3);
  if (off <= 4) return `${s.slice(0, width - 3)}...`;
  if (width < 7) return "";
  if (off + width - 3 < s.length) return `...${abbreviate(s.slice(off), 0, width - 3)}`;
  return `...${s.slice(s.length - (width - 3))}`;
}

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
    const n = Number(toInt64(width));
    return n < 4 ? str(s) : abbreviate(str(s), 0, n);
  },
  abbrevboth: (left, right, s) => {
    const l = Number(toInt64(left));
    const r = Number(toInt64(right));
    return r < 4 || (l > 0 && r < 7) ? str(s) : abbreviate(str(s), l, r);
  },
  hello: () => "Hello!",
  shuffle: (s) => {
    const chars = [...str(s)];
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
    }
    return chars.join("");
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
  trimall: (cutset, s) => sprigText.trimAll?.(cutset, s),
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
  regexMatch: (pattern, s) => {
    try {
      return regex(pattern).test(str(s));
    } catch {
      return false;
    }
  },
  mustRegexMatch: (pattern, s) => regex(pattern).test(str(s)),
  regexFind: (pattern, s) => findOne(mustCompile(pattern), s),
  mustRegexFind: (pattern, s) => findOne(regex(pattern), s),
  regexFindAll: (pattern, s, n) => findAll(mustCompile(pattern, "g"), s, n),
  mustRegexFindAll: (pattern, s, n) => findAll(regex(pattern, "g"), s, n),
  regexReplaceAll: (pattern, s, repl) => str(s).replace(mustCompile(pattern, "g"), expansion(str(repl))),
  mustRegexReplaceAll: (pattern, s, repl) => str(s).replace(regex(pattern, "g"), expansion(str(repl))),
  regexReplaceAllLiteral: (pattern, s, repl) => str(s).replace(mustCompile(pattern, "g"), () => str(repl)),
  mustRegexReplaceAllLiteral: (pattern, s, repl) => str(s).replace(regex(pattern, "g"), () => str(repl)),
  regexSplit: (pattern, s, n) => splitN(mustCompile(pattern, "g"), s, n),
  mustRegexSplit: (pattern, s, n) => splitN(regex(pattern, "g"), s, n),
  regexQuoteMeta: (s) => str(s).replace(/[\\.+*?()|[\]{}^$]/g, "\\$&"),
  ternary: (whenTrue, whenFalse, condition) => (truth(condition) ? whenTrue : whenFalse),
  coalesce: (...values) => values.find(truth) ?? null,
  all: (...values) => values.every(truth),
  any: (...values) => values.some(truth),
  typeOf: (v) => typeName(v),
  typeIs: (name, v) => typeName(v) === str(name),
  typeIsLike: (name, v) => typeName(v) === str(name) || typeName(v) === `*${str(name)}`,
  kindOf: (v) => kindName(v),
  kindIs: (name, v) => kindName(v) === str(name),
  deepEqual: (a, b) => deepEqual(a, b),
};

const findOne = (re: RegExp, s: unknown) => re.exec(str(s))?.[0] ?? "";

/** FindAllString(s, n): n < 0 is all matches; empty matches right after a match are skipped, as Go does. */
function findAll(re: RegExp, s: unknown, n: unknown): string[] {
  const count = Number(toInt64(n));
  const all = [...str(s).matchAll(re)].map((m) => m[0]);
  return count < 0 ? all : all.slice(0, count);
}

/** Regexp.Split(s, n): n == 0 is nil, n < 0 all pieces, otherwise at most n pieces. */
function splitN(re: RegExp, s: unknown, n: unknown): string[] {
  const count = Number(toInt64(n));
  const text = str(s);
  if (count === 0) return [];
  if (re.source === "(?:)" && text.length > 0) {
    const chars = [...text];
    return count < 0 || count >= chars.length
      ? chars
      : [...chars.slice(0, count - 1), chars.slice(count - 1).join("")];
  }
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (count > 0 && out.length === count - 1) break;
    if (m[0] === "" && (m.index === 0 || m.index === text.length)) continue;
    out.push(text.slice(last, m.index));
    last = (m.index as number) + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

function kindName(v: unknown): string {
  const type = typeName(v);
  if (type.startsWith("[]")) return "slice";
  if (type.startsWith("map[")) return "map";
  if (type === "<nil>") return "invalid";
  if (type.startsWith("*")) return "ptr";
  if (type === "time.Duration") return "int64";
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
