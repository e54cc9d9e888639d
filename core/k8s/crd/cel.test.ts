import { describe, expect, it } from "vitest";
import { celErrors, ruleErrors } from "./cel";
import type { JSONSchemaProps } from "./types";

const spec: JSONSchemaProps = {
  type: "object",
  properties: {
    min: { type: "integer" },
    max: { type: "integer" },
    ratio: { type: "number" },
    name: {
      type: "string",
      "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "name is immutable" }],
    },
    items: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["key"],
      items: {
        type: "object",
        properties: { key: { type: "string" }, size: { type: "integer" } },
        "x-kubernetes-validations": [{ rule: "self.size >= oldSelf.size", message: "items only grow" }],
      },
    },
  },
  "x-kubernetes-validations": [
    {
      rule: "self.min <= self.max",
      messageExpression: "'min ' + string(self.min) + ' is above max ' + string(self.max)",
    },
    { rule: "!has(self.ratio) || self.ratio < 1.0" },
    { rule: "size(self.name) < 10", reason: "FieldValueForbidden", fieldPath: ".name", message: "too long" },
  ],
};

const run = (value: unknown, old?: unknown) => celErrors(value, old, spec, "spec");

describe("celErrors", () => {
  it("passes what the rules allow, ints and doubles compared as CEL does", () => {
    expect(run({ min: 1, max: 2, ratio: 0.5, name: "a" })).toEqual([]);
  });

  it("reports failures with the message, the message expression or the rule", () => {
    expect(run({ min: 3, max: 2, ratio: 1.5, name: "abcdefghijkl" })).toEqual([
      { type: "FieldValueInvalid", field: "spec", value: "object", detail: "min 3 is above max 2" },
      {
        type: "FieldValueInvalid",
        field: "spec",
        value: "object",
        detail: "failed rule: !has(self.ratio) || self.ratio < 1.0",
      },
      { type: "FieldValueForbidden", field: "spec.name", detail: "too long" },
    ]);
  });

  it("runs transition rules only where an old value exists, correlating map lists by key", () => {
    const old = { min: 1, max: 2, name: "a", items: [{ key: "x", size: 5 }] };
    expect(run({ min: 1, max: 2, name: "b", items: [{ key: "y", size: 1 }] })).toEqual([]);
    expect(
      run(
        {
          min: 1,
          max: 2,
          name: "b",
          items: [
            { key: "y", size: 1 },
            { key: "x", size: 4 },
          ],
        },
        old,
      ),
    ).toEqual([
      { type: "FieldValueInvalid", field: "spec.name", value: "string", detail: "name is immutable" },
      { type: "FieldValueInvalid", field: "spec.items[1]", value: "object", detail: "items only grow" },
    ]);
  });

  it("runs matches() in RE2, in linear time whatever the pattern", () => {
    const rule: JSONSchemaProps = {
      type: "string",
      "x-kubernetes-validations": [{ rule: "self.matches('^(a+)+$')", message: "only a's" }],
    };
    const started = Date.now();
    expect(celErrors(`${"a".repeat(5000)}!`, undefined, rule, "spec.name")).toEqual([
      { type: "FieldValueInvalid", field: "spec.name", value: "string", detail: "only a's" },
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(celErrors("aaa", undefined, rule, "spec.name")).toEqual([]);
    const global = { type: "string", "x-kubernetes-validations": [{ rule: "matches(self, '^[a-z]+$')" }] };
    expect(celErrors("abc", undefined, global, "s")).toEqual([]);
    expect(celErrors("ABC", undefined, global, "s")).toHaveLength(1);
  });

  it("reports a rule that cannot be evaluated", () => {
    const errs = celErrors(
      {},
      undefined,
      { type: "object", "x-kubernetes-validations": [{ rule: "self.missing > 1" }] },
      "spec",
    );
    expect(errs[0]?.detail).toMatch(/^rule evaluation error: self.missing > 1: /);
  });
});

describe("ruleErrors", () => {
  it("accepts the standard library and refuses syntax errors, unknown functions and non-bool rules", () => {
    expect(ruleErrors(spec, "s")).toEqual([]);
    const bad: JSONSchemaProps = {
      type: "object",
      "x-kubernetes-validations": [
        { rule: "self.a >" },
        { rule: "quantity(self.q) > 1" },
        { rule: "'text'" },
        { rule: "self.b.matches('(?=x)')" },
      ],
      properties: { a: { type: "string", "x-kubernetes-validations": [{ rule: "true", reason: "Nope" }] } },
    };
    const errs = ruleErrors(bad, "root");
    expect(errs.map((e) => `${e.field}: ${e.detail?.split(":")[0]}`)).toEqual([
      "root.x-kubernetes-validations[0].rule: compilation failed",
      "root.x-kubernetes-validations[1].rule: compilation failed",
      "root.x-kubernetes-validations[2].rule: must evaluate to bool",
      "root.x-kubernetes-validations[3].rule: compilation failed",
      "root.properties[a].x-kubernetes-validations[0].reason: supported values",
    ]);
  });

  it("refuses rules whose nested comprehensions the schema leaves unbounded, as kube-apiserver's cost estimate", () => {
    const lists = (maxItems?: number): JSONSchemaProps => ({
      type: "object",
      properties: {
        a: { type: "array", items: { type: "string" }, ...(maxItems ? { maxItems } : {}) },
        b: { type: "array", items: { type: "string" }, ...(maxItems ? { maxItems } : {}) },
      },
      "x-kubernetes-validations": [
        { rule: "self.a.all(x, self.b.exists(y, y == x))" },
        { rule: "self.a.all(x, x.size() > 0)" },
      ],
    });
    const errs = ruleErrors(lists(), "s");
    expect(errs).toHaveLength(1);
    expect(errs[0]?.field).toBe("s.x-kubernetes-validations[0].rule");
    expect(errs[0]?.detail).toMatch(
      /^estimated rule cost exceeds budget by factor of \d+(\.\d)?x \(try simplifying/,
    );
    expect(ruleErrors(lists(100), "s")).toEqual([]);
  });
});
