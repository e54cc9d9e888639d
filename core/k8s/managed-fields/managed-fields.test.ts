import { describe, expect, it } from "vitest";
import { KubeError } from "../errors";
import type { KubeObject } from "../types";
import { fieldsOf, fromFieldsV1, toFieldsV1 } from "./fieldset";
import { applyConfiguration, type ManagedFieldsEntry, recordUpdate } from "./managed-fields";

const NOW = "2026-11-22T12:00:00Z";

function deployment(spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", ...(labels ? { labels } : {}) },
    spec,
  };
}

const managers = (obj: KubeObject) =>
  ((obj.metadata.managedFields ?? []) as ManagedFieldsEntry[]).map((e) => `${e.manager}/${e.operation}`);

describe("field sets", () => {
  it("name leaves and associative list items, and round-trip through FieldsV1", () => {
    const set = fieldsOf(
      deployment(
        { replicas: 2, template: { spec: { containers: [{ name: "web", image: "nginx" }] } } },
        { app: "web" },
      ) as never,
    );
    const tree = toFieldsV1(set);
    expect(tree).toEqual({
      "f:metadata": { "f:labels": { "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:template": {
          "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {} } } },
        },
      },
    });
    expect(fromFieldsV1(tree)).toEqual(set);
  });
});

describe("server-side apply", () => {
  const applied = deployment({
    replicas: 2,
    template: { spec: { containers: [{ name: "web", image: "nginx:1.25" }] } },
  });

  it("refuses to take a field another manager set to another value, unless forced", () => {
    const created = applyConfiguration(undefined, applied, "alice", false, NOW);
    const scaled = structuredClone(created);
    (scaled.spec as { replicas: number }).replicas = 5;
    scaled.metadata.managedFields = recordUpdate(created, scaled, "kubectl-scale", NOW);
    expect(managers(scaled)).toEqual(["alice/Apply", "kubectl-scale/Update"]);
    let error: unknown;
    try {
      applyConfiguration(scaled, applied, "alice", false, NOW);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).status.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
    );
    const forced = applyConfiguration(scaled, applied, "alice", true, NOW);
    expect((forced.spec as { replicas: number }).replicas).toBe(2);
    expect(managers(forced)).toEqual(["alice/Apply"]);
  });

  it("shares a field set to the same value, and removes what the manager no longer applies", () => {
    const first = applyConfiguration(
      undefined,
      deployment({ replicas: 2 }, { app: "web", tier: "front" }),
      "alice",
      false,
      NOW,
    );
    const shared = applyConfiguration(first, deployment({ replicas: 2 }), "bob", false, NOW);
    expect(managers(shared)).toEqual(["alice/Apply", "bob/Apply"]);
    const dropped = applyConfiguration(
      shared,
      deployment({ replicas: 2 }, { app: "web" }),
      "alice",
      false,
      NOW,
    );
    expect(dropped.metadata.labels).toEqual({ app: "web" });
    const gone = applyConfiguration(dropped, deployment({}, { app: "web" }), "alice", false, NOW);
    expect((gone.spec as { replicas?: number }).replicas).toBe(2); // bob still applies it
  });

  it("merges list items by key and keeps an item another manager owns part of", () => {
    const two = deployment({
      template: {
        spec: {
          containers: [
            { name: "web", image: "nginx" },
            { name: "log", image: "busybox" },
          ],
        },
      },
    });
    const live = applyConfiguration(undefined, two, "alice", false, NOW);
    const edited = structuredClone(live);
    (
      (edited.spec as never as { template: { spec: { containers: { image: string }[] } } }).template.spec
        .containers[1] as { image: string }
    ).image = "busybox:1.36";
    edited.metadata.managedFields = recordUpdate(live, edited, "kubectl-set", NOW);
    const oneLeft = applyConfiguration(
      edited,
      deployment({ template: { spec: { containers: [{ name: "web", image: "nginx" }] } } }),
      "alice",
      false,
      NOW,
    );
    const names = (
      oneLeft.spec as { template: { spec: { containers: { name: string }[] } } }
    ).template.spec.containers.map((c) => c.name);
    expect(names).toEqual(["web", "log"]);
  });

  it("removes a whole list item the manager no longer applies, not its fields alone", () => {
    const containers = (list: { name: string; image: string }[]) =>
      deployment({ template: { spec: { containers: list } } });
    const live = applyConfiguration(
      undefined,
      containers([
        { name: "web", image: "nginx" },
        { name: "log", image: "busybox" },
      ]),
      "alice",
      false,
      NOW,
    );
    const left = applyConfiguration(
      live,
      containers([{ name: "log", image: "busybox" }]),
      "alice",
      false,
      NOW,
    );
    expect(left.spec).toEqual({ template: { spec: { containers: [{ name: "log", image: "busybox" }] } } });
  });
});
