import { marshalJson, unmarshalJson } from "./gojson";
import {
  GoDuration,
  MAX_INT64,
  MIN_INT64,
  parseDuration,
  roundDuration,
  SECOND,
  truncateDuration,
} from "./sprig/duration";
import type { TemplateFunc } from "./template/exec";
import { formatValue, goQuote } from "./template/format";
import { isNil, typeName } from "./template/values";
import { encodeToml, fromToml } from "./toml";
import { helmToYaml, mustToYaml, toYamlPretty, unmarshalYaml } from "./yaml";

/** Helm's from* functions tolerate errors: the message comes back in the map (`Error`) or as the list. */
function tolerant(read: () => unknown, array: boolean): unknown {
  try {
    const v = read();
    return v ?? (array ? [] : {});
  } catch (e) {
    const message = (e as Error).message;
    return array ? [message] : { Error: message };
  }
}

/** A string argument as Go passes it: nil is refused before the call. */
function text(v: unknown): string {
  if (isNil(v)) throw new Error("invalid value; expected string");
  if (typeof v !== "string") throw new Error(`wrong type for value; expected string; got ${typeName(v)}`);
  return v;
}

const MAX_SECONDS = MAX_INT64 / SECOND;
const MIN_SECONDS = MIN_INT64 / SECOND;
const MAX_SECONDS_FLOAT = Number(MAX_INT64) / 1e9;
const MIN_SECONDS_FLOAT = Number(MIN_INT64) / 1e9;

function fromSecondsFloat(seconds: number): bigint {
  if (!Number.isFinite(seconds)) throw new Error(`invalid duration seconds: ${formatValue(seconds)}`);
  if (seconds > MAX_SECONDS_FLOAT || seconds < MIN_SECONDS_FLOAT)
    throw new Error(`duration seconds overflow: ${formatValue(seconds)}`);
  const nanos = seconds * 1e9;
  if (nanos > Number(MAX_INT64) || nanos < Number(MIN_INT64))
    throw new Error(`duration nanoseconds overflow: ${formatValue(nanos)}`);
  // Go's float-to-int conversion truncates; past int64 it has no defined value, here the nearest end
  const n = BigInt(Math.trunc(nanos));
  return n > MAX_INT64 ? MAX_INT64 : n;
}

/**
 * Helm's asDuration: a time.Duration as it is, a duration string (`1h2m3s`), a numeric string or a number
 * as seconds. Throws Helm's error texts.
 */
export function asDuration(v: unknown): bigint {
  if (v instanceof GoDuration) return v.ns;
  if (typeof v === "string") {
    const s = v.trim();
    if (s === "") throw new Error("empty duration");
    try {
      return parseDuration(s);
    } catch {
      // strconv.ParseFloat's syntax: decimal, hex floats aside
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i.test(s))
        return fromSecondsFloat(/nan/i.test(s) ? Number.NaN : Number(s.replace(/inf(inity)?/i, "Infinity")));
      throw new Error(`could not parse duration ${goQuote(v)}`);
    }
  }
  if (isNil(v)) throw new Error("invalid duration");
  if (typeof v === "bigint") {
    if (v > MAX_SECONDS || v < MIN_SECONDS) throw new Error(`duration seconds overflow: ${v}`);
    return v * SECOND;
  }
  if (typeof v === "number") return fromSecondsFloat(v);
  throw new Error(`unsupported duration type ${typeName(v)}`);
}

/** A helper that answers 0 when its argument is no duration. */
function orZero<T>(f: (d: bigint) => T, zero: T): TemplateFunc {
  return (v) => {
    let d: bigint;
    try {
      d = asDuration(v);
    } catch {
      return zero;
    }
    return f(d);
  };
}

const seconds = (d: bigint) => new GoDuration(d).Seconds();
const hours = (d: bigint) => new GoDuration(d).Hours();

/** Rounding or truncating helpers: 0 when v is no duration, v unchanged when m is none. */
function toMultiple(op: (d: bigint, m: bigint) => bigint): TemplateFunc {
  return (v, m) => {
    let d: bigint;
    try {
      d = asDuration(v);
    } catch {
      return new GoDuration(0n);
    }
    try {
      return new GoDuration(op(d, asDuration(m)));
    } catch {
      return new GoDuration(d);
    }
  };
}

/**
 * The functions Helm adds to Sprig's (pkg/engine/funcs.go): TOML, YAML and JSON in and out, and the
 * duration helpers. `include`, `tpl`, `required`, `lookup` are bound per render in engine.ts.
 */
export const helmFunctions: Record<string, TemplateFunc> = {
  toToml: (v) => {
    try {
      return encodeToml(v);
    } catch (e) {
      return (e as Error).message;
    }
  },
  mustToToml: (v) => encodeToml(v),
  fromToml: (s) => fromToml(text(s)),
  toYaml: (v) => helmToYaml(v),
  mustToYaml: (v) => mustToYaml(v),
  toYamlPretty: (v) => toYamlPretty(v),
  fromYaml: (s) => tolerant(() => unmarshalYaml(text(s), "map"), false),
  fromYamlArray: (s) => tolerant(() => unmarshalYaml(text(s), "slice"), true),
  toJson: (v) => {
    try {
      return marshalJson(v);
    } catch {
      return "";
    }
  },
  mustToJson: (v) => marshalJson(v),
  fromJson: (s) => tolerant(() => unmarshalJson(text(s), "map"), false),
  fromJsonArray: (s) => tolerant(() => unmarshalJson(text(s), "slice"), true),

  mustToDuration: (v) => new GoDuration(asDuration(v)),
  durationSeconds: orZero(seconds, 0),
  durationMilliseconds: orZero((d) => d / 1_000_000n, 0n),
  durationMicroseconds: orZero((d) => d / 1000n, 0n),
  durationNanoseconds: orZero((d) => d, 0n),
  durationMinutes: orZero((d) => new GoDuration(d).Minutes(), 0),
  durationHours: orZero(hours, 0),
  durationDays: orZero((d) => hours(d) / 24, 0),
  durationWeeks: orZero((d) => hours(d) / 24 / 7, 0),
  durationRoundTo: toMultiple(roundDuration),
  durationTruncateTo: toMultiple(truncateDuration),
};
