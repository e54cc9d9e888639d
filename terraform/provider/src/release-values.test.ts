import { describe, expect, it } from "vitest";
import { releaseValues, valuesMatch } from "./release-values";

describe("a release's values against the configuration's", () => {
  it("sends the values files merged and set as --set assignments", () => {
    expect(releaseValues(["a: 1", "b: {c: 2}"], { "b.d": "x" })).toEqual({
      values: { a: 1, b: { c: 2 } },
      set: ["b.d=x"],
    });
  });

  it("matches the values --set typed on top of the files, whatever the keys' order", () => {
    const current = { service: { port: 8080, type: "ClusterIP" }, replicaCount: 1, on: true };
    expect(
      valuesMatch(
        ["replicaCount: 1\nservice: {type: ClusterIP, port: 80}"],
        { "service.port": "8080", on: "true" },
        current,
      ),
    ).toBe(true);
    expect(valuesMatch(["replicaCount: 1"], null, {})).toBe(false);
    expect(valuesMatch(null, null, {})).toBe(true);
    expect(valuesMatch(["replicaCount: 2"], { "service.port": "8080" }, current)).toBe(false);
    expect(valuesMatch(null, { "a[": "1" }, {})).toBe(false);
  });
});
