import type { TemplateFunc } from "../template/exec";
import { str, toFloat64, toInt64 } from "./convert";

const ints = (args: unknown[]) => args.map(toInt64);

/** Sprig's integer math is int64 (cast.ToInt64 on each argument); the `f` variants are float64. */
export const sprigMath: Record<string, TemplateFunc> = {
  add: (...args) => ints(args).reduce((a, b) => a + b, 0n),
  add1: (v) => toInt64(v) + 1n,
  sub: (a, b) => toInt64(a) - toInt64(b),
  mul: (...args) => ints(args).reduce((a, b) => a * b, 1n),
  div: (a, b) => {
    if (toInt64(b) === 0n) throw new Error("runtime error: integer divide by zero");
    return toInt64(a) / toInt64(b);
  },
  mod: (a, b) => {
    if (toInt64(b) === 0n) throw new Error("runtime error: integer divide by zero");
    return toInt64(a) % toInt64(b);
  },
  // biome-ignore lint/complexity/useMathMinMax: Math.max does not take bigints
  max: (...args) => ints(args).reduce((a, b) => (b > a ? b : a)),
  // biome-ignore lint/complexity/useMathMinMax: Math.min does not take bigints
  min: (...args) => ints(args).reduce((a, b) => (b < a ? b : a)),
  addf: (...args) => args.map(toFloat64).reduce((a, b) => a + b, 0),
  subf: (a, ...rest) => rest.map(toFloat64).reduce((x, y) => x - y, toFloat64(a)),
  mulf: (...args) => args.map(toFloat64).reduce((a, b) => a * b, 1),
  divf: (a, ...rest) => rest.map(toFloat64).reduce((x, y) => x / y, toFloat64(a)),
  maxf: (...args) => Math.max(...args.map(toFloat64)),
  minf: (...args) => Math.min(...args.map(toFloat64)),
  floor: (v) => Math.floor(toFloat64(v)),
  ceil: (v) => Math.ceil(toFloat64(v)),
  round: (v: unknown, places: unknown, roundOn: unknown = 0.5) => {
    const p = 10 ** Number(toInt64(places));
    const x = toFloat64(v) * p;
    const whole = Math.trunc(x);
    return (x - whole >= toFloat64(roundOn) ? whole + 1 : whole) / p;
  },
  int: (v) => toInt64(v),
  int64: (v) => toInt64(v),
  float64: (v) => toFloat64(v),
  atoi: (v) => (/^[+-]?\d+$/.test(str(v).trim()) ? BigInt(str(v).trim()) : 0n),
  toDecimal: (v) => (/^[0-7]+$/.test(str(v)) ? BigInt(`0o${str(v)}`) : 0n),
  toString: (v: unknown) => str(v),
  toStrings: (v) => (Array.isArray(v) ? v.map(str) : [str(v)]),
};
