import { describe, expect, it } from "vitest";
import type { Pod } from "../../core/k8s/types";
import { type NodeCandidate, schedulePod } from "./plan";

const GiB = 1024 ** 3;

function node(name: string, over: Partial<NodeCandidate> = {}): NodeCandidate {
  return {
    name,
    ready: true,
    labels: { "kubernetes.io/hostname": name },
    allocatable: { cpuMillis: 2000, memoryBytes: 4 * GiB, pods: 110 },
    requested: { cpuMillis: 0, memoryBytes: 0, pods: 0 },
    ...over,
  };
}

function pod(requests: Record<string, string> = {}, nodeSelector?: Record<string, string>): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: {
      containers: [{ name: "c", image: "nginx", resources: { requests } }],
      ...(nodeSelector ? { nodeSelector } : {}),
    },
  };
}

describe("schedulePod", () => {
  it("prefers the least allocated node", () => {
    const busy = node("a", { requested: { cpuMillis: 1500, memoryBytes: 3 * GiB, pods: 5 } });
    expect(schedulePod(pod({ cpu: "100m" }), [busy, node("b")])).toEqual({ node: "b" });
  });

  it("keeps pods off cordoned nodes unless they tolerate it", () => {
    const cordoned = node("a", { unschedulable: true });
    expect(schedulePod(pod(), [cordoned])).toEqual({
      unschedulable: "0/1 nodes are available: 1 node(s) were unschedulable.",
    });
    const tolerant = pod();
    tolerant.spec.tolerations = [
      { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
    ];
    expect(schedulePod(tolerant, [cordoned])).toEqual({ node: "a" });
  });

  it("skips nodes that are not ready or do not match the node selector", () => {
    const nodes = [node("a", { ready: false }), node("b"), node("c", { labels: { disk: "ssd" } })];
    expect(schedulePod(pod({}, { disk: "ssd" }), nodes)).toEqual({ node: "c" });
  });

  it("explains why nothing fits, counting each reason like kube-scheduler", () => {
    const nodes = [node("a"), node("b", { ready: false })];
    expect(schedulePod(pod({ cpu: "3" }), nodes)).toEqual({
      unschedulable: "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were not ready.",
    });
  });

  it("counts memory requests in bytes", () => {
    expect(schedulePod(pod({ memory: "5Gi" }), [node("a")])).toEqual({
      unschedulable: "0/1 nodes are available: 1 Insufficient memory.",
    });
    expect(schedulePod(pod({ memory: "3Gi" }), [node("a")])).toEqual({ node: "a" });
  });
});
