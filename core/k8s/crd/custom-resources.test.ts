import { describe, expect, it } from "vitest";
import type { KubeError } from "../errors";
import { ServedTypes } from "../served-types";
import type { KubeObject } from "../types";
import { customResourceStrategy } from "./custom-resources";
import type { CustomResourceDefinition } from "./types";

const crd = (terminating = false): CustomResourceDefinition => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: {
    name: "widgets.example.com",
    ...(terminating ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
  },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural: "widgets", kind: "Widget" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", properties: { size: { type: "integer", default: 1, maximum: 5 } } },
              status: { type: "object", properties: { ready: { type: "boolean" } } },
            },
          },
        },
      },
    ],
  },
  status: { conditions: [{ type: "Established", status: "True" }] },
});

const typeOf = (terminating = false) =>
  new ServedTypes([crd(terminating)]).find("example.com", "v1", "widgets");
const ctx = { now: new Date(), type: typeOf() as NonNullable<ReturnType<typeof typeOf>> };
const widget = (spec: object, status?: object): KubeObject => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w", namespace: "default" },
  spec,
  ...(status ? { status } : {}),
});

describe("customResourceStrategy", () => {
  it("prunes, defaults and drops status on create when status is a subresource", () => {
    const created = customResourceStrategy.create(widget({ colour: "red" }, { ready: true }), ctx);
    expect(created.spec).toEqual({ size: 1 });
    expect(created.status).toBeUndefined();
    expect(created.metadata.generation).toBe(1);
  });

  it("refuses an invalid object with the custom kind's qualified name", () => {
    try {
      customResourceStrategy.create(widget({ size: 9 }), ctx);
      expect.unreachable();
    } catch (err) {
      expect((err as KubeError).status.message).toBe(
        'Widget.example.com "w" is invalid: spec.size: Invalid value: 9: spec.size in body should be less than or equal to 5',
      );
    }
  });

  it("keeps spec and status apart: updates keep the status, status updates keep the rest", () => {
    const current = {
      ...widget({ size: 2 }, { ready: false }),
      metadata: { name: "w", namespace: "default", generation: 1 },
    };
    const updated = customResourceStrategy.update(widget({ size: 3 }, { ready: true }), current, ctx);
    expect(updated.status).toEqual({ ready: false });
    expect(updated.metadata.generation).toBe(2);
    const sameSpec = customResourceStrategy.update(widget({ size: 2 }, { ready: true }), current, ctx);
    expect(sameSpec.metadata.generation).toBe(1);
    const status = customResourceStrategy.updateStatus(widget({ size: 4 }, { ready: true }), current, ctx);
    expect(status.spec).toEqual({ size: 2 });
    expect(status.status).toEqual({ ready: true });
  });

  it("creates nothing while the CRD is being deleted", () => {
    const terminating = { ...ctx, type: typeOf(true) as typeof ctx.type };
    expect(() => customResourceStrategy.create(widget({}), terminating)).toThrow(
      "create not allowed while custom resource definition is terminating",
    );
  });
});
