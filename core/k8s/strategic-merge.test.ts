import { describe, expect, it } from "vitest";
import { strategicMerge } from "./strategic-merge";

const pod = {
  metadata: { name: "web", labels: { app: "web", tier: "front" }, finalizers: ["a"] },
  spec: {
    containers: [
      {
        name: "app",
        image: "nginx:1",
        command: ["nginx"],
        env: [{ name: "A", value: "1" }],
        ports: [{ containerPort: 80 }],
      },
      { name: "side", image: "busybox" },
    ],
  },
};

describe("strategicMerge", () => {
  it("merges containers by name, keeping the fields the patch does not mention", () => {
    const patched = strategicMerge(pod, {
      spec: {
        $setElementOrder: undefined,
        "$setElementOrder/containers": [{ name: "app" }, { name: "side" }],
        containers: [{ name: "app", image: "nginx:2" }],
      },
    }) as typeof pod;
    expect(patched.spec.containers[0]).toEqual({ ...pod.spec.containers[0], image: "nginx:2" });
    expect(patched.spec.containers[1]).toEqual(pod.spec.containers[1]);
  });

  it("merges env by name and ports by containerPort", () => {
    const patched = strategicMerge(pod, {
      spec: {
        containers: [{ name: "app", env: [{ name: "B", value: "2" }], ports: [{ containerPort: 443 }] }],
      },
    }) as typeof pod;
    expect(patched.spec.containers[0]?.env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    expect(patched.spec.containers[0]?.ports).toEqual([{ containerPort: 80 }, { containerPort: 443 }]);
  });

  it("deletes list items and map keys", () => {
    const patched = strategicMerge(pod, {
      metadata: { labels: { tier: null } },
      spec: { containers: [{ name: "side", $patch: "delete" }] },
    }) as typeof pod;
    expect(patched.metadata.labels).toEqual({ app: "web" });
    expect(patched.spec.containers.map((c) => c.name)).toEqual(["app"]);
  });

  it("merges finalizers as a set and removes with $deleteFromPrimitiveList", () => {
    expect(
      (strategicMerge(pod, { metadata: { finalizers: ["b", "a"] } }) as typeof pod).metadata.finalizers,
    ).toEqual(["a", "b"]);
    expect(
      (strategicMerge(pod, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }) as typeof pod)
        .metadata.finalizers,
    ).toEqual([]);
  });

  it("replaces lists without a merge key, and honours $patch: replace", () => {
    const patched = strategicMerge(pod, {
      spec: { containers: [{ name: "app", command: ["sh"] }] },
    }) as typeof pod;
    expect(patched.spec.containers[0]?.command).toEqual(["sh"]);
    expect(strategicMerge({ a: { b: 1, c: 2 } }, { a: { $patch: "replace", d: 3 } })).toEqual({
      a: { d: 3 },
    });
  });

  it("reorders by $setElementOrder", () => {
    const patched = strategicMerge(pod, {
      spec: { "$setElementOrder/containers": [{ name: "side" }, { name: "app" }] },
    }) as typeof pod;
    expect(patched.spec.containers.map((c) => c.name)).toEqual(["side", "app"]);
  });
});
