/** Go's time.Duration: int64 nanoseconds. */
export const NANOSECOND = 1n;
export const MICROSECOND = 1000n;
export const MILLISECOND = 1_000_000n;
export const SECOND = 1_000_000_000n;
export const MINUTE = 60n * SECOND;
export const HOUR = 60n * MINUTE;
export const MAX_INT64 = (1n << 63n) - 1n;
export const MIN_INT64 = -(1n << 63n);

/** Wraps to int64, as Go's integer arithmetic does. */
export function int64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/**
 * A Go time.Duration value. It prints through its String method (a fmt.Stringer), encodes to JSON as its
 * nanoseconds, and offers Duration's methods to templates (`.Seconds`, `.Round`, …).
 */
export class GoDuration {
  static goType = "time.Duration";

  constructor(readonly ns: bigint) {}

  goString(): string {
    return formatDuration(this.ns);
  }
  String(): string {
    return formatDuration(this.ns);
  }
  Nanoseconds(): bigint {
    return this.ns;
  }
  Microseconds(): bigint {
    return this.ns / MICROSECOND;
  }
  Milliseconds(): bigint {
    return this.ns / MILLISECOND;
  }
  Seconds(): number {
    return Number(this.ns / SECOND) + Number(this.ns % SECOND) / 1e9;
  }
  Minutes(): number {
    return Number(this.ns / MINUTE) + Number(this.ns % MINUTE) / 60e9;
  }
  Hours(): number {
    return Number(this.ns / HOUR) + Number(this.ns % HOUR) / 3600e9;
  }
  Round(m: unknown): GoDuration {
    return new GoDuration(roundDuration(this.ns, durationArg(m)));
  }
  Truncate(m: unknown): GoDuration {
    return new GoDuration(truncateDuration(this.ns, durationArg(m)));
  }
  Abs(): GoDuration {
    return new GoDuration(this.ns >= 0n ? this.ns : this.ns === MIN_INT64 ? MAX_INT64 : -this.ns);
  }
}

function durationArg(m: unknown): bigint {
  if (m instanceof GoDuration) return m.ns;
  if (typeof m === "bigint") return m;
  throw new Error("wrong type for value; expected time.Duration");
}

/** Duration.Round: halfway values round away from zero; m <= 0 leaves d as it is. */
export function roundDuration(d: bigint, m: bigint): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  const lessThanHalf = (x: bigint) => x + x < m;
  if (d < 0n) {
    r = -r;
    if (lessThanHalf(r)) return d + r;
    const d1 = d - m + r;
    return d1 >= MIN_INT64 ? d1 : MIN_INT64;
  }
  if (lessThanHalf(r)) return d - r;
  const d1 = d + m - r;
  return d1 <= MAX_INT64 ? d1 : MAX_INT64;
}

/** Duration.Truncate: toward zero; m <= 0 leaves d as it is. */
export function truncateDuration(d: bigint, m: bigint): bigint {
  return m <= 0n ? d : d - (d % m);
}

/** The decimal fraction of v/10^prec with trailing zeros dropped (Go's fmtFrac). */
function frac(v: bigint, prec: number): [string, bigint] {
  let digits = "";
  let print = false;
  let u = v;
  for (let i = 0; i < prec; i++) {
    const digit = u % 10n;
    print = print || digit !== 0n;
    if (print) digits = digit.toString() + digits;
    u /= 10n;
  }
  return [print ? `.${digits}` : "", u];
}

/** Duration.String: `1h2m3.5s`, `1.5µs`, `0s`. */
export function formatDuration(d: bigint): string {
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < SECOND) {
    if (u === 0n) return "0s";
    let prec: number;
    let unit: string;
    if (u < MICROSECOND) {
      prec = 0;
      unit = "ns";
    } else if (u < MILLISECOND) {
      prec = 3;
      unit = "µs";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [f, whole] = frac(u, prec);
    out = `${whole}${f}${unit}`;
  } else {
    const [f, secs] = frac(u, 9);
    u = secs;
    out = `${u % 60n}${f}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

const UNITS: Record<string, bigint> = {
  ns: NANOSECOND,
  us: MICROSECOND,
  µs: MICROSECOND, // U+00B5
  μs: MICROSECOND, // U+03BC
  ms: MILLISECOND,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
};

/** The time package's own quoting: bytes outside printable ASCII as \xNN. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c >= 0x80 || c < 0x20)
      for (const b of Buffer.from(ch)) out += `\\x${b.toString(16).padStart(2, "0")}`;
    else out += ch === '"' || ch === "\\" ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

/** Go's time.ParseDuration, with its error texts. */
export function parseDuration(text: string): bigint {
  const quoted = timeQuote(text);
  const invalid = () => new Error(`time: invalid duration ${quoted}`);
  let s = text;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let total = 0n;
  while (s !== "") {
    if (!(s[0] === "." || ((s[0] as string) >= "0" && (s[0] as string) <= "9"))) throw invalid();
    const m = /^(\d*)(?:\.(\d*))?/.exec(s) as RegExpExecArray;
    const whole = m[1] as string;
    const fraction = m[2];
    if (whole === "" && (fraction === undefined || fraction === "")) throw invalid();
    s = s.slice(m[0].length);
    const unitMatch = /^[^0-9.]*/.exec(s) as RegExpExecArray;
    const unitText = unitMatch[0];
    if (unitText === "") throw new Error(`time: missing unit in duration ${quoted}`);
    const unit = UNITS[unitText];
    if (unit === undefined)
      throw new Error(`time: unknown unit ${timeQuote(unitText)} in duration ${quoted}`);
    s = s.slice(unitText.length);
    const v = BigInt(whole || "0");
    if (v > (1n << 63n) / unit) throw invalid();
    let part = v * unit;
    if (fraction) {
      // as Go: the digits that fit in an int64, scaled by the unit in float64, truncated
      let f = 0n;
      let scale = 1;
      for (const c of fraction) {
        if (f > MAX_INT64 / 10n) break;
        f = f * 10n + BigInt(c);
        scale *= 10;
      }
      part += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (part > 1n << 63n) throw invalid();
    }
    total += part;
    if (total > 1n << 63n) throw invalid();
  }
  if (neg) return -total;
  if (total > MAX_INT64) throw invalid();
  return total;
}
