import { describe, expect, it } from "vitest";
import { HALF_CLOSE, isHalfClose } from "./port-forward";

describe("a port-forward message", () => {
  it("is a half-close only as the text message, never as bytes for the pod", () => {
    expect(isHalfClose(Buffer.from(HALF_CLOSE), false)).toBe(true);
    expect(isHalfClose(Buffer.from(HALF_CLOSE), true)).toBe(false);
    expect(isHalfClose(Buffer.from("end\n"), false)).toBe(false);
    expect(isHalfClose(Buffer.alloc(0), false)).toBe(false);
  });
});
