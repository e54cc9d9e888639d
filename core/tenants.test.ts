import { describe, expect, it } from "vitest";
import type { ClusterBudget } from "./k8s/budget";
import {
  aboveCeiling,
  effectiveBudget,
  formatDuration,
  formatPartialBudget,
  parseBudget,
  parseDuration,
} from "./tenants";

const GI = 2 ** 30;
const MI = 2 ** 20;
const PLATFORM: ClusterBudget = { memoryBytes: 8 * GI, cpuMillis: 16_000, pods: 50, storageBytes: 64 * MI };

describe("durations", () => {
  it("read Go's units and days, and print back as hours, minutes and seconds", () => {
    expect(parseDuration("72h")).toBe(259_200);
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("7d")).toBe(604_800);
    expect(parseDuration("45s")).toBe(45);
    expect(parseDuration("1d2h3m4s")).toBe(86_400 + 7200 + 180 + 4);
    expect(formatDuration(259_200)).toBe("72h");
    expect(formatDuration(5400)).toBe("1h30m");
    expect(formatDuration(45)).toBe("45s");
    expect(formatDuration(3661)).toBe("1h1m1s");
  });

  it("refuse what is not one, and zero", () => {
    for (const bad of ["", "0h", "72", "h", "1.5h", "3m2h", "-1h", "1w", " 1h"])
      expect(parseDuration(bad), bad).toBeUndefined();
  });

  it("print back what they read", () => {
    for (const text of ["72h", "1h30m", "45s", "2h5s"]) {
      const s = parseDuration(text) as number;
      expect(parseDuration(formatDuration(s))).toBe(s);
    }
  });
});

describe("budgets", () => {
  it("parse from quantities, naming the field that does not", () => {
    expect(parseBudget({ memory: "4Gi", cpu: "500m", pods: 10, storage: "32Mi" }, "budget")).toEqual({
      budget: { memoryBytes: 4 * GI, cpuMillis: 500, pods: 10, storageBytes: 32 * MI },
    });
    expect(parseBudget({}, "budget")).toEqual({ budget: {} });
    expect(parseBudget({ cpu: "lots" }, "ceiling")).toEqual({
      error: 'ceiling.cpu: "lots" is not a CPU quantity',
    });
    expect(parseBudget({ memory: "0" }, "budget")).toEqual({
      error: 'budget.memory: "0" is not a memory quantity',
    });
  });

  it("format back only the fields they set", () => {
    expect(formatPartialBudget({ memoryBytes: 4 * GI, pods: 3 })).toEqual({ memory: "4Gi", pods: 3 });
  });

  it("are refused above the ceiling, field by field", () => {
    expect(aboveCeiling({ memoryBytes: 8 * GI, pods: 50 }, PLATFORM, "budget")).toBeUndefined();
    expect(aboveCeiling({ memoryBytes: 16 * GI, cpuMillis: 1000, pods: 51 }, PLATFORM, "budget")).toBe(
      "budget.memory 16Gi is above the class's ceiling of 8Gi; budget.pods 51 is above the class's ceiling of 50 (only the platform admin may raise the ceiling)",
    );
  });

  it("layer the cluster's own over its class's over the platform's", () => {
    expect(effectiveBudget(PLATFORM, { memoryBytes: GI, pods: 5 }, { pods: 7 })).toEqual({
      ...PLATFORM,
      memoryBytes: GI,
      pods: 7,
    });
    expect(effectiveBudget(PLATFORM, null, undefined)).toEqual(PLATFORM);
  });
});
