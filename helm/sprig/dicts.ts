import type { TemplateFunc } from "../template/exec";
import { isMap, truth } from "../template/values";
import { str } from "./convert";

type Dict = Record<string, unknown>;

const dictOf = (v: unknown): Dict => (isMap(v) ? v : {});

function deepCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepCopy(x)])) as T;
  return v;
}

/**
 * mergo's Merge into dst, as Sprig calls it: maps merge deeply; an empty (zero) dst value takes src's, and
 * with `overwrite` a non-empty src value replaces dst's.
 */
function mergeInto(dst: Dict, src: Dict, overwrite: boolean): Dict {
  for (const [k, v] of Object.entries(src)) {
    const have = dst[k];
    if (isMap(have) && isMap(v)) mergeInto(have, v, overwrite);
    else if (!isMap(have) && (!truth(have) || (overwrite && truth(v)))) dst[k] = deepCopy(v);
  }
  return dst;
}

/** Sprig's dict functions. */
export const sprigDicts: Record<string, TemplateFunc> = {
  dict: (...kv) => {
    const out: Dict = {};
    for (let i = 0; i < kv.length; i += 2) out[str(kv[i])] = i + 1 < kv.length ? kv[i + 1] : "";
    return out;
  },
  get: (d, key) => dictOf(d)[str(key)] ?? "",
  set: (d, key, value) => {
    const dict = dictOf(d);
    dict[str(key)] = value;
    return dict;
  },
  unset: (d, key) => {
    const dict = dictOf(d);
    delete dict[str(key)];
    return dict;
  },
  hasKey: (d, key) => isMap(d) && Object.hasOwn(d, str(key)),
  keys: (...dicts) => dicts.flatMap((d) => Object.keys(dictOf(d))),
  values: (d) => Object.values(dictOf(d)),
  pluck: (key, ...dicts) =>
    dicts.filter((d) => isMap(d) && Object.hasOwn(d, str(key))).map((d) => dictOf(d)[str(key)]),
  pick: (d, ...keys) =>
    Object.fromEntries(Object.entries(dictOf(d)).filter(([k]) => keys.map(str).includes(k))),
  omit: (d, ...keys) =>
    Object.fromEntries(Object.entries(dictOf(d)).filter(([k]) => !keys.map(str).includes(k))),
  mustMerge: (dst, ...srcs) => srcs.reduce<Dict>((out, s) => mergeInto(out, dictOf(s), false), dictOf(dst)),
  mustMergeOverwrite: (dst, ...srcs) =>
    srcs.reduce<Dict>((out, s) => mergeInto(out, dictOf(s), true), dictOf(dst)),
  merge: (dst, ...srcs) => srcs.reduce<Dict>((out, s) => mergeInto(out, dictOf(s), false), dictOf(dst)),
  mergeOverwrite: (dst, ...srcs) =>
    srcs.reduce<Dict>((out, s) => mergeInto(out, dictOf(s), true), dictOf(dst)),
  deepCopy: (v) => deepCopy(v),
  mustDeepCopy: (v) => deepCopy(v),
  dig: (...args) => {
    const dict = args.at(-1);
    const fallback = args.at(-2);
    let node: unknown = dict;
    for (const key of args.slice(0, -2)) {
      if (!isMap(node) || !Object.hasOwn(node, str(key))) return fallback;
      node = node[str(key)];
    }
    return node;
  },
};
