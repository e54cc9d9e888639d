import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../core/k8s/types";
import { paginate } from "./pagination";

const items: KubeObject[] = ["a", "b", "c", "d", "e"].map((name) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default" },
}));

describe("paginate", () => {
  it("serves chunks with a continue token until the end", () => {
    const first = paginate(items, "2", undefined);
    expect(first.items.map((o) => o.metadata.name)).toEqual(["a", "b"]);
    expect(first.remainingItemCount).toBe(3);
    const second = paginate(items, "2", first.continue);
    expect(second.items.map((o) => o.metadata.name)).toEqual(["c", "d"]);
    const last = paginate(items, "2", second.continue);
    expect(last.items.map((o) => o.metadata.name)).toEqual(["e"]);
    expect(last.continue).toBeUndefined();
  });

  it("serves everything without a limit, and refuses a bad token", () => {
    expect(paginate(items, undefined, undefined).items).toHaveLength(5);
    expect(() => paginate(items, "2", "%%%")).toThrow(/continue key is not valid/);
  });
});
