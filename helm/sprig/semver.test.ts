import { describe, expect, it } from "vitest";
import { constraint, Version } from "./semver";

const satisfies = (c: string, v: string) => constraint(c)(Version.parse(v));

describe("semverCompare", () => {
  it("compares as charts use it against .Capabilities.KubeVersion", () => {
    expect(satisfies(">=1.19-0", "v1.20.0")).toBe(true);
    expect(satisfies(">=1.19-0", "v1.20.8-gke.900")).toBe(true);
    expect(satisfies(">=1.19", "v1.20.8-gke.900")).toBe(false);
    expect(satisfies("<1.19-0", "v1.18.3")).toBe(true);
    expect(satisfies(">=1.14-0, <1.19-0", "v1.16.0")).toBe(true);
    expect(satisfies(">=1.14-0, <1.19-0", "v1.19.0")).toBe(false);
  });
  it("understands tilde, caret, wildcards, ranges and alternatives", () => {
    expect(satisfies("~1.2.3", "1.2.9")).toBe(true);
    expect(satisfies("~1.2.3", "1.3.0")).toBe(false);
    expect(satisfies("^1.2.3", "1.9.0")).toBe(true);
    expect(satisfies("^1.2.3", "2.0.0")).toBe(false);
    expect(satisfies("^0.2.3", "0.3.0")).toBe(false);
    expect(satisfies("1.2.x", "1.2.7")).toBe(true);
    expect(satisfies("1.2.x", "1.3.0")).toBe(false);
    expect(satisfies("1.2 - 1.4.5", "1.4.5")).toBe(true);
    expect(satisfies("1.2 - 1.4.5", "1.4.6")).toBe(false);
    expect(satisfies("<1.0.0 || >=2.0.0", "2.1.0")).toBe(true);
    expect(satisfies("<1.0.0 || >=2.0.0", "1.5.0")).toBe(false);
    expect(satisfies("!=1.2.3", "1.2.3")).toBe(false);
  });
  it("refuses what is not a version", () => {
    expect(() => Version.parse("latest")).toThrow("Invalid Semantic Version");
    expect(Version.parse("v1.2").String()).toBe("1.2.0");
  });
});
