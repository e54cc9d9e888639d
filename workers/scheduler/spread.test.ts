import { describe, expect, it } from "vitest";
import { podRequests, scoringRequests } from "../../core/k8s/requests";
import type { Pod } from "../../core/k8s/types";
import type { NodeCandidate } from "./candidate";
import { schedulePod } from "./plan";

const GiB = 1024 ** 3;

function node(name: string, pods = 110): NodeCandidate {
  return {
    name,
    ready: true,
    labels: { "kubernetes.io/hostname": name },
    allocatable: { cpuMillis: 4000, memoryBytes: 8 * GiB, pods },
    requested: { cpuMillis: 0, memoryBytes: 0, pods: 0 },
    scoringRequested: { cpuMillis: 0, memoryBytes: 0 },
    pods: [],
  };
}

function pod(name: string, requests: Record<string, string> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "web" } },
    spec: { containers: [{ name: "c", image: "nginx", resources: { requests } }] },
  };
}

/** Binds the pod as the scheduler's view would count it next time. */
function bind(n: NodeCandidate, p: Pod): void {
  const want = podRequests(p);
  const scored = scoringRequests(p);
  n.requested = {
    cpuMillis: n.requested.cpuMillis + want.cpuMillis,
    memoryBytes: n.requested.memoryBytes + want.memoryBytes,
    pods: n.requested.pods + 1,
  };
  const before = n.scoringRequested ?? { cpuMillis: 0, memoryBytes: 0 };
  n.scoringRequested = {
    cpuMillis: before.cpuMillis + scored.cpuMillis,
    memoryBytes: before.memoryBytes + scored.memoryBytes,
  };
}

/**
 * A class on three nodes: each cluster sees only its own pods on a node, but every cluster's requests,
 * so the scheduler spreads the class as one. The nodes are in the same order for every pod.
 */
function scheduleClass(nodes: NodeCandidate[], clusters: number, podsEach: number, requests = {}) {
  const placed = new Map<string, number>();
  for (let round = 0; round < podsEach; round++)
    for (let c = 0; c < clusters; c++) {
      const p = pod(`c${c}-p${round}`, requests);
      const decision = schedulePod(p, nodes);
      if (!("node" in decision))
        throw new Error(`${p.metadata.name} unschedulable: ${decision.unschedulable}`);
      const target = nodes.find((n) => n.name === decision.node) as NodeCandidate;
      bind(target, p);
      placed.set(target.name, (placed.get(target.name) ?? 0) + 1);
    }
  return placed;
}

describe("schedulePod: spreading a class over nodes", () => {
  it("spreads pods that request nothing evenly, instead of packing the first node", () => {
    const nodes = [node("n1"), node("n2"), node("n3")];
    const placed = scheduleClass(nodes, 10, 3);
    expect([...placed.values()].reduce((a, b) => a + b, 0)).toBe(30);
    for (const n of nodes) expect(placed.get(n.name)).toBe(10);
  });

  it("spreads pods with requests by what is left, and never past a node's allocatable pods", () => {
    const nodes = [node("n1", 4), node("n2"), node("n3")];
    const placed = scheduleClass(nodes, 6, 3, { cpu: "100m", memory: "64Mi" });
    expect(placed.get("n1")).toBeLessThanOrEqual(4);
    expect(Math.max(...placed.values()) - Math.min(...[...placed.values()])).toBeLessThanOrEqual(3);
    expect((placed.get("n2") ?? 0) + (placed.get("n3") ?? 0) + (placed.get("n1") ?? 0)).toBe(18);
  });

  it("leaves a pod Pending when every node's allocatable pods are taken", () => {
    const nodes = [node("n1", 1), node("n2", 1), node("n3", 1)];
    scheduleClass(nodes, 3, 1);
    const decision = schedulePod(pod("one-more"), nodes);
    expect("unschedulable" in decision && decision.unschedulable).toContain("0/3 nodes are available");
  });
});
