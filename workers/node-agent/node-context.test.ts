import { describe, expect, it, vi } from "vitest";
import type { Pod } from "../../core/k8s/types";
import { NodePods } from "./node-context";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default", uid: "u1" },
  spec: { containers: [] },
};

function pods() {
  const verdicts = { changed: vi.fn(), unhealthy: vi.fn() };
  return { pods: new NodePods({ exec: vi.fn() }, verdicts), verdicts };
}

describe("NodePods", () => {
  it("remembers each pod's cluster until the pod is forgotten", () => {
    const { pods: p } = pods();
    p.runs("u1", "c1");
    expect(p.clusterOf(pod)).toBe("c1");
    expect(p.hasPodsOf("c1")).toBe(true);
    p.forget("u1");
    expect(p.clusterOf(pod)).toBe("");
    expect(p.hasPodsOf("c1")).toBe(false);
  });

  it("reports config errors until the container can be created", () => {
    const { pods: p } = pods();
    expect(p.problemsOf("u1")).toEqual({});
    p.configError("u1", "app", "refused");
    expect(p.problemsOf("u1")).toEqual({ configErrors: new Map([["app", "refused"]]) });
    p.clearConfigError("u1", "app");
    expect(p.problemsOf("u1")).toEqual({});
  });

  it("hands a pending eviction to one sync", () => {
    const { pods: p } = pods();
    p.markEviction("u1", "over its sizeLimit");
    expect(p.isMarkedForEviction("u1")).toBe(true);
    expect(p.takeEviction("u1")).toBe("over its sizeLimit");
    expect(p.takeEviction("u1")).toBeUndefined();
    expect(p.isMarkedForEviction("u1")).toBe(false);
  });
});
