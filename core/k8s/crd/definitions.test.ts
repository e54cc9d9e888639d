import { describe, expect, it } from "vitest";
import { KubeError } from "../errors";
import { crdStrategy, validateCrd } from "./definitions";
import type { CustomResourceDefinition } from "./types";

const crd = (patch: (c: CustomResourceDefinition) => void = () => {}): CustomResourceDefinition => {
  const c: CustomResourceDefinition = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", kind: "Widget", listKind: "WidgetList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object" } } } },
        },
      ],
    },
  };
  patch(c);
  return c;
};

const problems = (c: CustomResourceDefinition) =>
  validateCrd(c).map((e) => `${e.field}: ${e.detail ?? e.type}`);
const ctx = { now: new Date("2026-01-01T00:00:00Z"), type: {} as never };

describe("validateCrd", () => {
  it("accepts a well-formed CRD", () => {
    expect(problems(crd())).toEqual([]);
  });

  it("words name, group, scope and version problems as kube-apiserver", () => {
    const bad = crd((c) => {
      c.metadata.name = "gadgets.example.com";
      c.spec.group = "example";
      c.spec.scope = "Global";
      c.spec.versions.push({ name: "v1", served: false, storage: true });
    });
    expect(problems(bad)).toEqual([
      "spec.group: should be a domain with at least one dot",
      'metadata.name: must be spec.names.plural+"."+spec.group',
      'spec.scope: supported values: "Cluster", "Namespaced"',
      "spec.versions: must have exactly one version marked as storage version",
      "spec.versions[1].name: FieldValueDuplicate",
      "spec.versions[1].schema.openAPIV3Schema: schemas are required",
    ]);
  });

  it("requires structural schemas and refuses protected and built-in groups", () => {
    const untyped = crd((c) => {
      const v = c.spec.versions[0];
      if (v) v.schema = { openAPIV3Schema: { type: "object", properties: { spec: { properties: {} } } } };
    });
    expect(problems(untyped)).toEqual([
      "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: must not be empty for specified object fields",
    ]);
    const mixed = crd((c) => {
      const v = c.spec.versions[0];
      if (v)
        v.schema = {
          openAPIV3Schema: {
            type: "object",
            properties: { a: { type: "string" } },
            additionalProperties: { type: "string" },
          },
        };
    });
    expect(problems(mixed)).toEqual([
      "spec.versions[0].schema.openAPIV3Schema.additionalProperties: additionalProperties and properties are mutual exclusive",
    ]);
    const apps = crd((c) => {
      c.spec.group = "apps";
      c.metadata.name = "widgets.apps";
    });
    expect(problems(apps)).toContain("spec.group: is served by the cluster's built-in API");
    const k8s = crd((c) => {
      c.spec.group = "x.k8s.io";
      c.metadata.name = "widgets.x.k8s.io";
    });
    expect(problems(k8s)[0]).toMatch(/^metadata.annotations\[api-approved.kubernetes.io\]: protected groups/);
  });

  it("checks defaults against their schema and refuses webhook conversion", () => {
    const c = crd((x) => {
      x.spec.conversion = { strategy: "Webhook" };
      const v = x.spec.versions[0];
      if (v)
        v.schema = {
          openAPIV3Schema: { type: "object", properties: { n: { type: "integer", default: "one" } } },
        };
    });
    expect(problems(c)).toEqual([
      'spec.conversion.strategy: supported values: "None"',
      'spec.versions[0].schema.openAPIV3Schema.properties[n].default: spec.versions[0].schema.openAPIV3Schema.properties[n].default in body must be of type integer: "string"',
    ]);
  });
});

describe("crdStrategy", () => {
  it("defaults names, establishes the CRD and holds it with the cleanup finalizer", () => {
    const created = crdStrategy.create(
      crd((c) => delete c.spec.names.listKind),
      ctx,
    ) as CustomResourceDefinition;
    expect(created.spec.names).toMatchObject({ singular: "widget", listKind: "WidgetList" });
    expect(created.metadata.finalizers).toEqual(["customresourcecleanup.apiextensions.k8s.io"]);
    expect(created.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["NamesAccepted", "True", "NoConflicts"],
      ["Established", "True", "InitialNamesAccepted"],
    ]);
    expect(created.status?.storedVersions).toEqual(["v1"]);
  });

  it("keeps scope immutable and records every storage version", () => {
    const current = crdStrategy.create(crd(), ctx) as CustomResourceDefinition;
    const scoped = crd((c) => {
      c.spec.scope = "Cluster";
    });
    expect(() => crdStrategy.update(scoped, current, ctx)).toThrow(KubeError);
    const v2 = crd((c) => {
      const v1 = c.spec.versions[0];
      if (!v1) return;
      c.spec.versions = [
        { ...v1, storage: false },
        { ...v1, name: "v2", storage: true },
      ];
    });
    const updated = crdStrategy.update(v2, current, ctx) as CustomResourceDefinition;
    expect(updated.status?.storedVersions).toEqual(["v1", "v2"]);
    expect(updated.metadata.generation).toBe(2);
    const dropped = crd((c) => {
      const v1 = c.spec.versions[0];
      if (v1) c.spec.versions = [{ ...v1, name: "v2" }];
    });
    expect(() => crdStrategy.update(dropped, updated, ctx)).toThrow(
      'status.storedVersions[0]: Invalid value: "v1": must appear in spec.versions',
    );
  });
});
