import { describe, expect, it } from "vitest";
import { sprig } from "./index";

describe("sprig", () => {
  it("title-cases words, repeats and builds dicts", () => {
    expect(sprig.title?.("hello wide-world")).toBe("Hello Wide-World");
    expect(sprig.repeat?.(3n, "ab")).toBe("ababab");
    expect(sprig.dict?.("a", 1n, "b")).toEqual({ a: 1n, b: "" });
  });
});
