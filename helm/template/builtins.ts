import { formatValue, sprintf } from "./format";
import { isMap, isNil, truth, typeName } from "./values";

type Kind = "bool" | "int" | "float" | "string" | "invalid";

function basicKind(v: unknown): Kind {
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "string":
      return "string";
    default:
      return "invalid";
  }
}

/** Go's template `eq`: true when arg1 equals any of the others, with Go's type rules. */
function eq(arg1: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    if (k1 !== k2) {
      if (!isNil(arg1) && !isNil(arg)) throw new Error("incompatible types for comparison");
      continue;
    }
    if (k1 === "invalid") {
      if (isNil(arg1) || isNil(arg)) {
        if (isNil(arg1) === isNil(arg)) return true;
        continue;
      }
      throw new Error(
        `non-comparable types ${formatValue(arg1)}: ${typeName(arg1)}, ${typeName(arg)}: ${formatValue(arg)}`,
      );
    }
    if (arg1 === arg) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k2 === "invalid" || k1 === "bool" || k2 === "bool")
    throw new Error("invalid type for comparison");
  if (k1 !== k2) throw new Error("incompatible types for comparison");
  return (a as number) < (b as number);
}

function length(v: unknown): bigint {
  if (isNil(v)) throw new Error("len of nil pointer");
  if (typeof v === "string") return BigInt(Buffer.byteLength(v, "utf8"));
  if (Array.isArray(v) || v instanceof Uint8Array) return BigInt(v.length);
  if (isMap(v)) return BigInt(Object.keys(v).length);
  throw new Error(`len of type ${typeName(v)}`);
}

function toIndex(i: unknown, cap: number): number {
  if (typeof i !== "bigint") throw new Error(`cannot index slice/array with type ${typeName(i)}`);
  if (i < 0n || i > BigInt(cap)) throw new Error(`index out of range: ${i}`);
  return Number(i);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  let v = item;
  for (const i of indexes) {
    if (isNil(v)) throw new Error("index of untyped nil");
    if (Array.isArray(v) || typeof v === "string") {
      const n = toIndex(i, v.length);
      if (n >= v.length) throw new Error(`index out of range: ${n}`);
      v = typeof v === "string" ? BigInt(Buffer.from(v)[n] ?? 0) : v[n];
    } else if (isMap(v)) {
      if (typeof i !== "string") throw new Error(`value has type ${typeName(i)}; should be string`);
      v = Object.hasOwn(v, i) ? v[i] : null;
    } else throw new Error(`can't index item of type ${typeName(v)}`);
  }
  return v;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new Error("slice of untyped nil");
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  if (typeof item !== "string" && !Array.isArray(item))
    throw new Error(`can't slice item of type ${typeName(item)}`);
  if (typeof item === "string" && indexes.length === 3) throw new Error("cannot 3-index slice a string");
  const len = item.length;
  const idx = [0, len];
  indexes.forEach((x, i) => {
    idx[i] = toIndex(x, len);
  });
  const [lo, hi] = idx as [number, number];
  if (lo > hi) throw new Error(`invalid slice index: ${lo} > ${hi}`);
  return item.slice(lo, hi);
}

/** Go's fmt.Sprint: a space between operands when neither is a string. */
export function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatValue(a);
  });
  return out;
}

/** The functions every Go template has, besides `and`, `or` which short-circuit in the executor. */
export const builtins: Record<string, (...args: unknown[]) => unknown> = {
  not: (v: unknown) => !truth(v),
  len: length,
  index,
  slice,
  print: (...args: unknown[]) => sprint(args),
  printf: (format: unknown, ...args: unknown[]) => sprintf(String(format), args),
  println: (...args: unknown[]) => `${args.map((a) => formatValue(a)).join(" ")}\n`,
  eq,
  ne: (a: unknown, b: unknown) => !eq(a, b),
  lt,
  le: (a: unknown, b: unknown) => lt(a, b) || eq(a, b),
  gt: (a: unknown, b: unknown) => !lt(a, b) && !eq(a, b),
  ge: (a: unknown, b: unknown) => !lt(a, b),
  call: (fn: unknown, ...args: unknown[]) => {
    if (typeof fn !== "function") throw new Error(`non-function of type ${typeName(fn)}`);
    return fn(...args);
  },
  html: (...args: unknown[]) =>
    sprint(args).replace(/[<>&'"\0]/g, (c) =>
      c === "<"
        ? "&lt;"
        : c === ">"
          ? "&gt;"
          : c === "&"
            ? "&amp;"
            : c === "'"
              ? "&#39;"
              : c === '"'
                ? "&#34;"
                : "\uFFFD",
    ),
  urlquery: (...args: unknown[]) => encodeURIComponent(sprint(args)).replace(/%20/g, "+"),
};
