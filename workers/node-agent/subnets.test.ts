import { describe, expect, it } from "vitest";
import { pickSubnet } from "./subnets";

describe("pickSubnet", () => {
  it("picks a /24 inside the pool, the same one for the same cluster", () => {
    const a = pickSubnet("10.244.0.0/14", 24, [], "cluster-a");
    expect(a).toMatch(/^10\.24[4-7]\.\d+\.0\/24$/);
    expect(pickSubnet("10.244.0.0/14", 24, [], "cluster-a")).toBe(a);
  });

  it("skips subnets that overlap networks already on the host", () => {
    const first = pickSubnet("10.0.0.0/22", 24, [], "x") as string;
    const second = pickSubnet("10.0.0.0/22", 24, [first], "x");
    expect(second).not.toBe(first);
    expect(pickSubnet("10.0.0.0/22", 24, ["10.0.0.0/16"], "x")).toBeUndefined();
  });

  it("fills the whole pool before giving up", () => {
    const used: string[] = [];
    for (let i = 0; i < 4; i++) used.push(pickSubnet("10.0.0.0/22", 24, used, `c${i}`) as string);
    expect(new Set(used).size).toBe(4);
    expect(pickSubnet("10.0.0.0/22", 24, used, "c5")).toBeUndefined();
  });
});
