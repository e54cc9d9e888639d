import { podRequests, type ResourceAmounts } from "../../core/k8s/requests";
import type { Pod } from "../../core/k8s/types";

/** A node as the scheduler weighs it: what it offers and what bound pods already requested. */
export interface NodeCandidate {
  name: string;
  ready: boolean;
  /** Cordoned in the pod's cluster (`kubectl cordon`): only pods tolerating it go there. */
  unschedulable?: boolean;
  labels: Record<string, string>;
  allocatable: ResourceAmounts & { pods: number };
  requested: ResourceAmounts & { pods: number };
}

export type Decision = { node: string } | { unschedulable: string };

function tolerates(pod: Pod, taint: string): boolean {
  const tolerations = (pod.spec.tolerations ?? []) as { key?: string; operator?: string }[];
  return tolerations.some((t) => t.key === taint || (t.operator === "Exists" && !t.key));
}

/** One feasibility check: undefined when the node fits, else the reason kube-scheduler would count. */
type Filter = (pod: Pod, want: ResourceAmounts, node: NodeCandidate) => string | undefined;

const FILTERS: Filter[] = [
  // cheapest first: readiness, then labels, then arithmetic
  (_pod, _want, node) => (node.ready ? undefined : "node(s) were not ready"),
  (pod, _want, node) =>
    node.unschedulable && !tolerates(pod, "node.kubernetes.io/unschedulable")
      ? "node(s) were unschedulable"
      : undefined,
  (pod, _want, node) =>
    Object.entries(pod.spec.nodeSelector ?? {}).every(([k, v]) => node.labels[k] === v)
      ? undefined
      : "node(s) didn't match Pod's node affinity/selector",
  (_pod, _want, node) => (node.requested.pods + 1 > node.allocatable.pods ? "Too many pods" : undefined),
  (_pod, want, node) =>
    node.requested.cpuMillis + want.cpuMillis > node.allocatable.cpuMillis ? "Insufficient cpu" : undefined,
  (_pod, want, node) =>
    node.requested.memoryBytes + want.memoryBytes > node.allocatable.memoryBytes
      ? "Insufficient memory"
      : undefined,
];

/** Least-allocated scoring: the share of CPU and memory left free once the pod is placed. */
function score(want: ResourceAmounts, node: NodeCandidate): number {
  const free = (alloc: number, used: number) => (alloc > 0 ? (alloc - used) / alloc : 0);
  return (
    (free(node.allocatable.cpuMillis, node.requested.cpuMillis + want.cpuMillis) +
      free(node.allocatable.memoryBytes, node.requested.memoryBytes + want.memoryBytes)) /
    2
  );
}

/**
 * Picks a node for the pod: filters, then scores, ties broken by node order (callers shuffle with a seed
 * in production, keep it sorted in tests). The unschedulable message follows kube-scheduler's wording.
 */
export function schedulePod(pod: Pod, nodes: NodeCandidate[]): Decision {
  const want = podRequests(pod);
  const reasons = new Map<string, number>();
  let best: { node: NodeCandidate; score: number } | undefined;
  for (const node of nodes) {
    const reason = FILTERS.map((f) => f(pod, want, node)).find((r) => r !== undefined);
    if (reason) {
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      continue;
    }
    const s = score(want, node);
    if (!best || s > best.score) best = { node, score: s };
  }
  if (best) return { node: best.node.name };
  const counts = [...reasons]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([r, n]) => `${n} ${r}`)
    .join(", ");
  return { unschedulable: `0/${nodes.length} nodes are available${counts ? `: ${counts}` : ""}.` };
}
