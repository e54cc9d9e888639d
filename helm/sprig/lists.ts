import type { TemplateFunc } from "../template/exec";
import { isMap, truth } from "../template/values";
import { listOf, str, toInt64 } from "./convert";

/** Go's reflect.DeepEqual over template values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

function range(start: bigint, stop: bigint, step: bigint): bigint[] {
  const out: bigint[] = [];
  if (step === 0n) return out;
  for (let i = start; step > 0n ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/** Sprig's list functions; each mustX fails as X does (Sprig's X panics with mustX's error). */
const lists: Record<string, TemplateFunc> = {
  list: (...items) => items,
  first: (l) => listOf(l, "find first").at(0) ?? null,
  last: (l) => listOf(l, "find last").at(-1) ?? null,
  rest: (l) => listOf(l, "find rest").slice(1),
  initial: (l) => listOf(l, "find initial").slice(0, -1),
  append: (l, v) => [...listOf(l, "append"), v],
  push: (l, v) => [...listOf(l, "push"), v],
  prepend: (l, v) => [v, ...listOf(l, "prepend")],
  concat: (...lists) => lists.flatMap((l) => listOf(l, "concat")),
  reverse: (l) => [...listOf(l, "find reverse")].reverse(),
  uniq: (l) => listOf(l, "find uniq").filter((v, i, all) => all.findIndex((w) => deepEqual(v, w)) === i),
  without: (l, ...omit) => listOf(l, "find without").filter((v) => !omit.some((o) => deepEqual(o, v))),
  has: (needle, l) => listOf(l, "find has").some((v) => deepEqual(v, needle)),
  compact: (l) => listOf(l, "compact").filter(truth),
  sortAlpha: (l) => listOf(l, "sortAlpha").map(str).sort(),
  until: (n) => range(0n, toInt64(n), toInt64(n) < 0n ? -1n : 1n),
  untilStep: (start, stop, step) => range(toInt64(start), toInt64(stop), toInt64(step)),
  seq: (...args) => {
    const [a, b, c] = args.map(toInt64);
    if (args.length === 1)
      return range(1n, (a ?? 0n) + 1n, 1n)
        .map(String)
        .join(" ");
    if (args.length === 2)
      return range(
        a ?? 0n,
        (b ?? 0n) + ((b ?? 0n) >= (a ?? 0n) ? 1n : -1n),
        (b ?? 0n) >= (a ?? 0n) ? 1n : -1n,
      )
        .map(String)
        .join(" ");
    return range(a ?? 0n, (b ?? 0n) + ((c ?? 1n) > 0n ? 1n : -1n), c ?? 1n)
      .map(String)
      .join(" ");
  },
  chunk: (size, l) => {
    const n = Number(toInt64(size));
    const items = listOf(l, "chunk");
    const out: unknown[][] = [];
    for (let i = 0; n > 0 && i < items.length; i += n) out.push(items.slice(i, i + n));
    return out;
  },
  slice: (l, ...indices) => {
    const items = listOf(l, "slice");
    const [from, to] = indices.map((i) => Number(toInt64(i)));
    return items.slice(from ?? 0, to ?? items.length);
  },
};

export const sprigLists: Record<string, TemplateFunc> = {
  ...lists,
  tuple: lists.list as TemplateFunc,
  ...Object.fromEntries(
    [
      "append",
      "push",
      "prepend",
      "first",
      "rest",
      "last",
      "initial",
      "reverse",
      "uniq",
      "without",
      "has",
      "compact",
      "slice",
      "chunk",
    ].map((name) => [`must${name.charAt(0).toUpperCase()}${name.slice(1)}`, lists[name] as TemplateFunc]),
  ),
};
