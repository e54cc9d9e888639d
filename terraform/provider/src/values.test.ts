import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { fromDynamic, toMsgpack, UNKNOWN, type Value } from "./values";

describe("msgpack values", () => {
  it("round-trips objects with unknowns and nulls", () => {
    const value: Value = { id: UNKNOWN, name: "alice", tenant: null, n: 3, ok: true, list: ["a", UNKNOWN] };
    expect(fromDynamic({ msgpack: toMsgpack(value) })).toEqual(value);
  });

  it("writes an unknown as cty does: extension type 0", () => {
    expect([...toMsgpack(UNKNOWN)]).toEqual([0xd4, 0x00, 0x00]);
  });

  it("reads a refined unknown (extension type 12) as unknown", () => {
    expect(fromDynamic({ msgpack: new Uint8Array([0xd4, 0x0c, 0x00]) })).toBe(UNKNOWN);
  });

  it("reads empty bytes as null and falls back on JSON", () => {
    expect(fromDynamic({ msgpack: new Uint8Array() })).toBeNull();
    expect(fromDynamic(undefined)).toBeNull();
    expect(fromDynamic({ json: Buffer.from('{"id":"x"}') })).toEqual({ id: "x" });
    expect(fromDynamic({ msgpack: encode({ a: 1.5 }) })).toEqual({ a: 1.5 });
  });
});
