import { randomInt } from "node:crypto";
import type { TemplateFunc } from "../template/exec";
import { str, toFloat64, toInt64 } from "./convert";

const ints = (args: unknown[]) => args.map(toInt64);

/** A decimal as shopspring/decimal holds it: value × 10^exp, made from a float64's shortest digits. */
type Decimal = { v: bigint; exp: number };

function decimal(f: number): Decimal {
  if (!Number.isFinite(f))
    throw new Error(`Cannot create a Decimal from ${f > 0 ? "+Inf" : f < 0 ? "-Inf" : "NaN"}`);
  const [mant, e] = f.toExponential().split("e") as [string, string];
  const digits = mant.replace(".", "");
  const frac = (mant.split(".")[1] ?? "").length;
  return { v: BigInt(digits), exp: Number(e) - frac };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.v * 10n ** BigInt(a.exp - exp), b.v * 10n ** BigInt(b.exp - exp), exp];
}

const decimalOps: Record<string, (a: Decimal, b: Decimal) => Decimal> = {
  add: (a, b) => {
    const [x, y, exp] = align(a, b);
    return { v: x + y, exp };
  },
  sub: (a, b) => {
    const [x, y, exp] = align(a, b);
    return { v: x - y, exp };
  },
  mul: (a, b) => ({ v: a.v * b.v, exp: a.exp + b.exp }),
  // Div rounds to 16 decimal places, half away from zero
  div: (a, b) => {
    if (b.v === 0n) throw new Error("decimal division by zero");
    const precision = 16;
    // a/b × 10^precision, with one more digit to round on
    const shift = precision + 1 + a.exp - b.exp;
    const num = shift >= 0 ? a.v * 10n ** BigInt(shift) : a.v;
    const den = shift >= 0 ? b.v : b.v * 10n ** BigInt(-shift);
    let q = num / den;
    const neg = q < 0n;
    if (neg) q = -q;
    q = (q + 5n) / 10n;
    return { v: neg ? -q : q, exp: -precision };
  },
};

const toFloat = (d: Decimal) => Number(`${d.v}e${d.exp}`);

/** Sprig's execDecimalOp: the operands as decimals, the operation exact, the result back to float64. */
function decimalOp(op: string, first: unknown, rest: unknown[]): number {
  let acc = decimal(toFloat64(first));
  for (const x of rest)
    acc = (decimalOps[op] as (a: Decimal, b: Decimal) => Decimal)(acc, decimal(toFloat64(x)));
  return toFloat(acc);
}

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
  add1f: (v) => decimalOp("add", v, [1]),
  addf: (...args) => decimalOp("add", 0, args),
  subf: (a, ...rest) => decimalOp("sub", a, rest),
  mulf: (a, ...rest) => decimalOp("mul", a, rest),
  divf: (a, ...rest) => decimalOp("div", a, rest),
  // biome-ignore lint/complexity/useMathMinMax: Math.max does not take bigints
  biggest: (...args) => ints(args).reduce((a, b) => (b > a ? b : a)),
  randInt: (min, max) => {
    const lo = toInt64(min);
    const n = toInt64(max) - lo;
    if (n <= 0n) throw new Error("invalid argument to Intn");
    return BigInt(randomInt(Number(n))) + lo;
  },
  maxf: (...args) => Math.max(...args.map(toFloat64)),
  minf: (...args) => Math.min(...args.map(toFloat64)),
  floor: (v) => Math.floor(toFloat64(v)),
  ceil: (v) => Math.ceil(toFloat64(v)),
  round: (v: unknown, places: unknown, roundOn: unknown = 0.5) => {
    const p = 10 ** Number(toInt64(places));
    const x = p * toFloat64(v);
    // math.Modf: the fraction has the sign of x; at or past roundOn goes up, else down
    return (x - Math.trunc(x) >= toFloat64(roundOn) ? Math.ceil(x) : Math.floor(x)) / p;
  },
  int: (v) => toInt64(v),
  int64: (v) => toInt64(v),
  float64: (v) => toFloat64(v),
  atoi: (v) => (/^[+-]?\d+$/.test(str(v).trim()) ? BigInt(str(v).trim()) : 0n),
  toDecimal: (v) => (/^[0-7]+$/.test(str(v)) ? BigInt(`0o${str(v)}`) : 0n),
  toString: (v: unknown) => str(v),
  toStrings: (v) => (Array.isArray(v) ? v.map(str) : [str(v)]),
};
