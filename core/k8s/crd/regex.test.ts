import { describe, expect, it } from "vitest";
import { compilePattern, matchesPattern } from "./regex";

describe("patterns in RE2", () => {
  it("matches in linear time what a backtracking engine would take ages over", () => {
    const started = Date.now();
    expect(matchesPattern("^(a+)+$", `${"a".repeat(5000)}!`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(matchesPattern("^[a-z0-9.-]+$", "blog.example.com")).toBe(true);
  });

  it("refuses what RE2 does not have, as kube-apiserver", () => {
    expect(compilePattern("(?=a)b")).toMatch(/invalid perl operator/);
    expect(compilePattern("(a")).toMatch(/missing \)/);
    expect(matchesPattern("(a", "a")).toBe(false);
  });
});
