import { describe, expect, it } from "vitest";
import type { CustomResourceDefinition } from "../core/k8s/crd/types";
import { BUILT_IN_TYPES } from "../core/k8s/served-types";
import { ServedTypesCache } from "./custom-types";
import type { ListQuery } from "./store";

const widgets: CustomResourceDefinition = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural: "widgets", kind: "Widget" },
    versions: [{ name: "v1", served: true, storage: true }],
  },
  status: { conditions: [{ type: "Established", status: "True" }] },
};

function fakeStore() {
  const crds: CustomResourceDefinition[] = [];
  let reads = 0;
  return {
    crds,
    reads: () => reads,
    async list(q: ListQuery) {
      reads++;
      expect(q).toMatchObject({ group: "apiextensions.k8s.io", resource: "customresourcedefinitions" });
      return { items: [...crds], resourceVersion: "1" };
    },
  };
}

describe("ServedTypesCache", () => {
  it("reads a cluster's CRDs once per period, and at once after an invalidation", async () => {
    const store = fakeStore();
    let now = 0;
    const cache = new ServedTypesCache(store, 500, () => now);
    expect(await cache.of("c1")).toBe(BUILT_IN_TYPES);
    store.crds.push(widgets);
    now = 400;
    expect((await cache.of("c1")).find("example.com", "v1", "widgets")).toBeUndefined();
    expect(store.reads()).toBe(1);
    now = 500;
    expect((await cache.of("c1")).find("example.com", "v1", "widgets")?.kind).toBe("Widget");
    store.crds.pop();
    cache.invalidate("c1");
    expect(await cache.of("c1")).toBe(BUILT_IN_TYPES);
    expect(store.reads()).toBe(3);
  });
});
