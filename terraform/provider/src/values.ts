import { decode, ExtensionCodec, encode } from "@msgpack/msgpack";

/** A value Terraform will know only after apply ("known after apply"). */
export const UNKNOWN: unique symbol = Symbol("unknown");

export type Value = null | string | number | boolean | typeof UNKNOWN | Value[] | { [key: string]: Value };
export type ObjectValue = { [key: string]: Value };

/** cty's msgpack extension types for an unknown value: 0, and 12 for an unknown with refinements. */
const UNKNOWN_EXT = 0;
const REFINED_UNKNOWN_EXT = 12;

const codec = new ExtensionCodec();
codec.register({
  type: UNKNOWN_EXT,
  encode: (value) => (value === UNKNOWN ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});
codec.register({ type: REFINED_UNKNOWN_EXT, encode: () => null, decode: () => UNKNOWN });

/** A value as the msgpack bytes of a tfplugin6 DynamicValue. */
export function toMsgpack(value: Value): Uint8Array {
  return encode(value, { extensionCodec: codec });
}

/** A DynamicValue's msgpack (or, for an upgraded legacy state, JSON) bytes as a value; empty bytes are null. */
export function fromDynamic(dynamic: { msgpack?: Uint8Array; json?: Uint8Array } | null | undefined): Value {
  if (dynamic?.msgpack?.length) return decode(dynamic.msgpack, { extensionCodec: codec }) as Value;
  if (dynamic?.json?.length) return JSON.parse(Buffer.from(dynamic.json).toString("utf8")) as Value;
  return null;
}

export const isKnown = (value: Value): boolean => value !== UNKNOWN;

export function asObject(value: Value): ObjectValue | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
}
