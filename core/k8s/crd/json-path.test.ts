import { describe, expect, it } from "vitest";
import { evaluateJsonPath, parseJsonPath, setJsonPath } from "./json-path";

const obj = {
  spec: { replicas: 3, "dotted.key": "d" },
  status: {
    conditions: [
      { type: "Ready", status: "True" },
      { type: "Synced", status: "False" },
    ],
  },
};

describe("JSONPath subset", () => {
  it("reads fields, quoted keys, indexes, wildcards and filters", () => {
    expect(evaluateJsonPath(obj, ".spec.replicas")).toEqual([3]);
    expect(evaluateJsonPath(obj, "{.spec['dotted.key']}")).toEqual(["d"]);
    expect(evaluateJsonPath(obj, ".status.conditions[-1].type")).toEqual(["Synced"]);
    expect(evaluateJsonPath(obj, ".status.conditions[*].status")).toEqual(["True", "False"]);
    expect(evaluateJsonPath(obj, '.status.conditions[?(@.type=="Ready")].status')).toEqual(["True"]);
    expect(evaluateJsonPath(obj, ".spec.missing")).toEqual([]);
  });

  it("refuses what is outside the subset, and sets plain paths", () => {
    expect(parseJsonPath(".spec..replicas")).toBeUndefined();
    const target: Record<string, unknown> = {};
    setJsonPath(target, ".spec.scale.replicas", 2);
    expect(target).toEqual({ spec: { scale: { replicas: 2 } } });
  });
});
