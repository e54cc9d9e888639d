import { type ResourceAmounts, scoringRequests } from "../../core/k8s/requests";
import { preferredNodeAffinityScore } from "../../core/k8s/scheduling/node-affinity";
import { intolerablePreferNoSchedule } from "../../core/k8s/scheduling/taints";
import { tolerationsOf } from "../../core/k8s/scheduling/types";
import type { Pod } from "../../core/k8s/types";
import type { ClusterView, NodeCandidate } from "./candidate";
import { interPodAffinityScore } from "./pod-affinity";

/**
 * Least-allocated: the share of CPU and memory left free once the pod is placed, 0–100, counting
 * kube-scheduler's non-zero defaults for containers that request nothing.
 */
function leastAllocated(want: ResourceAmounts, node: NodeCandidate): number {
  const free = (alloc: number, used: number) => (alloc > 0 ? Math.max(0, (alloc - used) / alloc) : 0);
  const requested = node.scoringRequested ?? node.requested;
  return (
    ((free(node.allocatable.cpuMillis, requested.cpuMillis + want.cpuMillis) +
      free(node.allocatable.memoryBytes, requested.memoryBytes + want.memoryBytes)) /
      2) *
    100
  );
}

/** Scales non-negative raw scores to 0–100 by the highest, as kube-scheduler's default normalizer. */
function byMax(raw: number[], reverse = false): number[] {
  const max = Math.max(0, ...raw);
  return raw.map((s) => {
    const scaled = max > 0 ? (s * 100) / max : 0;
    return reverse ? 100 - scaled : scaled;
  });
}

/** Scales raw scores that may be negative to 0–100 between the lowest and the highest. */
function byRange(raw: number[]): number[] {
  const [min, max] = [Math.min(...raw), Math.max(...raw)];
  return raw.map((s) => (max > min ? ((s - min) * 100) / (max - min) : 0));
}

/**
 * Weighted scores of the feasible nodes, with kube-scheduler's default plugin weights: resources 1, node
 * affinity 2, taint toleration 3, inter-pod affinity 2.
 */
export function scoreNodes(pod: Pod, nodes: NodeCandidate[], view: ClusterView): number[] {
  const tolerations = tolerationsOf(pod.spec);
  const affinity = byMax(nodes.map((n) => preferredNodeAffinityScore(pod.spec, n)));
  const taints = byMax(
    nodes.map((n) => intolerablePreferNoSchedule(n.taints ?? [], tolerations)),
    true,
  );
  const pods = byRange(nodes.map((n) => interPodAffinityScore(pod, n, view)));
  const scoring = scoringRequests(pod);
  return nodes.map(
    (n, i) => leastAllocated(scoring, n) + 2 * (affinity[i] ?? 0) + 3 * (taints[i] ?? 0) + 2 * (pods[i] ?? 0),
  );
}
