import { describe, expect, it } from "vitest";
import { applyDefaults, prune, validateValue } from "./structural";
import type { JSONSchemaProps } from "./types";

const schema: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["image"],
      properties: {
        image: { type: "string", minLength: 1, maxLength: 20, pattern: "^[a-z:.0-9]+$" },
        replicas: { type: "integer", minimum: 1, maximum: 5, default: 1 },
        ratio: { type: "number", exclusiveMaximum: true, maximum: 1 },
        mode: { type: "string", enum: ["fast", "safe"], default: "safe" },
        port: { "x-kubernetes-int-or-string": true },
        email: { type: "string", format: "email" },
        tags: { type: "array", items: { type: "string" }, maxItems: 2, "x-kubernetes-list-type": "set" },
        ports: {
          type: "array",
          minItems: 1,
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          items: {
            type: "object",
            properties: { name: { type: "string" }, port: { type: "integer", default: 80 } },
          },
        },
        labels: { type: "object", additionalProperties: { type: "string" } },
        free: {
          type: "object",
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { known: { type: "string" } },
        },
        template: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          properties: { spec: { type: "object" } },
        },
        nothing: { type: "string", nullable: true },
      },
    },
  },
};
const specSchema = schema.properties?.spec as JSONSchemaProps;

const messages = (spec: unknown) =>
  validateValue({ spec }, { ...schema }, "").map((e) => `${e.field}: ${e.type} ${e.detail ?? ""}`);

describe("prune", () => {
  it("drops undeclared fields, keeps preserved ones, apiVersion/kind/metadata of the root and of embedded resources", () => {
    const obj = {
      apiVersion: "x/v1",
      kind: "X",
      metadata: { name: "a" },
      spec: {
        image: "nginx",
        colour: "red",
        ports: [{ name: "http", extra: true }],
        labels: { a: "b" },
        free: { known: "k", anything: { deep: 1 } },
        template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { a: 1 }, junk: 1 },
      },
      status: { ready: true },
    };
    expect(prune(obj, schema, "", true).sort()).toEqual([
      "spec.colour",
      "spec.ports[0].extra",
      "spec.template.junk",
      "spec.template.spec.a",
      "status",
    ]);
    expect(obj.spec.free).toEqual({ known: "k", anything: { deep: 1 } });
    expect(obj.spec.template).toEqual({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: {} });
    expect(obj.metadata).toEqual({ name: "a" });
  });
});

describe("applyDefaults", () => {
  it("fills missing fields and list items, leaving what is set", () => {
    const obj = { spec: { image: "nginx", mode: "fast", ports: [{ name: "a" }, { name: "b", port: 81 }] } };
    applyDefaults(obj, schema);
    expect(obj.spec).toEqual({
      image: "nginx",
      mode: "fast",
      replicas: 1,
      ports: [
        { name: "a", port: 80 },
        { name: "b", port: 81 },
      ],
    });
  });

  it("replaces a null that the schema does not allow, not an absent parent", () => {
    const obj: Record<string, unknown> = { spec: { image: "x", replicas: null } };
    applyDefaults(obj, schema);
    expect((obj.spec as Record<string, unknown>).replicas).toBe(1);
    const empty: Record<string, unknown> = {};
    applyDefaults(empty, schema);
    expect(empty).toEqual({});
  });
});

describe("validateValue", () => {
  it("accepts a valid object", () => {
    expect(
      messages({
        image: "nginx",
        replicas: 2,
        port: "http",
        tags: ["a"],
        ports: [{ name: "a" }],
        nothing: null,
      }),
    ).toEqual([]);
    expect(messages({ image: "nginx", port: 8080 })).toEqual([]);
  });

  it("words type, required and enum errors as kube-apiserver", () => {
    const errs = validateValue({ spec: { replicas: "two", mode: "slow" } }, schema, "");
    expect(errs).toEqual([
      { type: "FieldValueRequired", field: "spec.image" },
      {
        type: "FieldValueInvalid",
        field: "spec.replicas",
        value: "string",
        detail: 'spec.replicas in body must be of type integer: "string"',
      },
      {
        type: "FieldValueNotSupported",
        field: "spec.mode",
        value: "slow",
        detail: 'supported values: "fast", "safe"',
      },
    ]);
  });

  it("checks bounds, lengths, patterns and formats", () => {
    expect(messages({ image: "", replicas: 9, ratio: 1, email: "nope" })).toEqual([
      "spec.image: FieldValueInvalid spec.image in body should be at least 1 chars long",
      "spec.image: FieldValueInvalid spec.image in body should match '^[a-z:.0-9]+$'",
      "spec.replicas: FieldValueInvalid spec.replicas in body should be less than or equal to 5",
      "spec.ratio: FieldValueInvalid spec.ratio in body should be less than 1",
      'spec.email: FieldValueInvalid spec.email in body must be of type email: "nope"',
    ]);
    expect(messages({ image: "a".repeat(21), replicas: 0 })).toEqual([
      "spec.image: FieldValueTooLong may not be longer than 20",
      "spec.replicas: FieldValueInvalid spec.replicas in body should be greater than or equal to 1",
    ]);
  });

  it("finds duplicates in sets and map lists, and too many or too few items", () => {
    expect(messages({ image: "x", tags: ["a", "b", "a"], ports: [] })).toEqual([
      "spec.tags: FieldValueTooMany must have at most 2 items",
      "spec.tags[2]: FieldValueDuplicate ",
      "spec.ports: FieldValueInvalid spec.ports in body should have at least 1 items",
    ]);
    const dup = validateValue(
      {
        image: "x",
        ports: [
          { name: "a", port: 1 },
          { name: "a", port: 2 },
        ],
      },
      specSchema,
      "spec",
    );
    expect(dup).toEqual([{ type: "FieldValueDuplicate", field: "spec.ports[1]", value: { name: "a" } }]);
  });

  it("types map values and int-or-string, and requires an embedded resource's apiVersion and kind", () => {
    expect(messages({ image: "x", port: true, labels: { a: 1 }, template: { spec: {} } })).toEqual([
      'spec.port: FieldValueInvalid spec.port in body must be of type integer,string: "boolean"',
      'spec.labels[a]: FieldValueInvalid spec.labels[a] in body must be of type string: "integer"',
      "spec.template.apiVersion: FieldValueRequired must not be empty",
      "spec.template.kind: FieldValueRequired must not be empty",
    ]);
  });

  it("checks allOf, anyOf, oneOf and not", () => {
    const either: JSONSchemaProps = {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "string" } },
      oneOf: [{ required: ["a"] }, { required: ["b"] }],
      not: { required: ["c"] },
    };
    expect(validateValue({ a: "x" }, either, "spec")).toEqual([]);
    expect(validateValue({ a: "x", b: "y" }, either, "spec").map((e) => e.detail)).toEqual([
      "spec in body must validate one and only one schema (oneOf)",
    ]);
    expect(validateValue({ a: "x", c: 1 }, either, "spec").map((e) => e.detail)).toEqual([
      "spec in body must not validate the schema (not)",
    ]);
    const any: JSONSchemaProps = {
      type: "integer",
      anyOf: [{ minimum: 10 }, { maximum: 0 }],
      allOf: [{ multipleOf: 2 }],
    };
    expect(validateValue(5, any, "n").map((e) => e.detail)).toEqual([
      "n in body should be a multiple of 2",
      "n in body must validate at least one schema (anyOf)",
    ]);
  });
});
