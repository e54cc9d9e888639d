import { describe, expect, it } from "vitest";
import { formatTable, percentile } from "./stats";

describe("percentile", () => {
  it("uses the nearest rank", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile([5], 99)).toBe(5);
  });
});

describe("formatTable", () => {
  it("pads columns to the widest cell", () => {
    expect(formatTable(["a", "bb"], [["xyz", 1.25]])).toBe("a    bb \nxyz  1.3");
  });
});
