import { formatValue } from "../template/format";
import { isNil } from "../template/values";

/** Sprig's strval: strings as they are, nil as "", anything else as Go's %v. */
export function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (isNil(v)) return "";
  if (v instanceof Uint8Array) return Buffer.from(v).toString();
  return formatValue(v);
}

/** spf13/cast's ToInt64, which Sprig's math uses: floats truncate, strings parse, anything else is 0. */
export function toInt64(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string") {
    const t = v.trim();
    if (/^[+-]?\d+$/.test(t)) return BigInt(t);
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) return BigInt(t.replace(/^([+-]?)0[xX]/, "$10x"));
    return 0n;
  }
  return 0n;
}

/** spf13/cast's ToFloat64. */
export function toFloat64(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    const f = Number(v.trim());
    return v.trim() !== "" && Number.isFinite(f) ? f : 0;
  }
  return 0;
}

/** A list argument as Sprig sees it: arrays (and byte slices) are lists, nil is empty, anything else is not. */
export function listOf(v: unknown, fn: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Uint8Array) return [...v].map((b) => BigInt(b));
  if (isNil(v)) return [];
  throw new Error(`Cannot ${fn} on type ${typeof v === "object" ? "map" : typeof v}`);
}
