import { describe, expect, it } from "vitest";
import { encodeMessage } from "./protobuf";

describe("encodeMessage", () => {
  it("writes length-delimited strings and nested messages", () => {
    expect([...encodeMessage([[1, "2.0"]])]).toEqual([0x0a, 3, 0x32, 0x2e, 0x30]);
    expect([...encodeMessage([[2, [[1, "a"]]]])]).toEqual([0x12, 3, 0x0a, 1, 0x61]);
    const long = "x".repeat(300);
    expect([...encodeMessage([[1, long]])].slice(0, 3)).toEqual([0x0a, 0xac, 0x02]);
  });
});
