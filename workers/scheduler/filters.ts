import type { ResourceAmounts } from "../../core/k8s/requests";
import { nodeAffinityAdmits } from "../../core/k8s/scheduling/node-affinity";
import { describeTaint, tolerates, untoleratedTaint } from "../../core/k8s/scheduling/taints";
import { type Taint, tolerationsOf } from "../../core/k8s/scheduling/types";
import type { Pod } from "../../core/k8s/types";
import { type ClusterView, type NodeCandidate, priorityOf } from "./candidate";
import { interPodAffinityReason } from "./pod-affinity";

/** Why a node was filtered out; `resolvable` when evicting pods from it might make room (preemption). */
export interface Rejection {
  reasons: string[];
  resolvable: boolean;
}

/** One feasibility check: undefined when the node passes. */
type Filter = (
  pod: Pod,
  want: ResourceAmounts,
  node: NodeCandidate,
  view: ClusterView,
) => Rejection | undefined;

/** What `kubectl cordon` amounts to, as the node lifecycle controller taints a cordoned node. */
const CORDONED: Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

/** The node's requests plus those of pods nominated to it with at least this pod's priority. */
function reservedFor(pod: Pod, node: NodeCandidate): NodeCandidate["requested"] {
  const held = { ...node.requested };
  for (const n of node.nominated ?? []) {
    if (n.uid === pod.metadata.uid || n.priority < priorityOf(pod)) continue;
    held.cpuMillis += n.requests.cpuMillis;
    held.memoryBytes += n.requests.memoryBytes;
    held.pods += 1;
  }
  return held;
}

const unresolvable = (reason: string): Rejection => ({ reasons: [reason], resolvable: false });

const FILTERS: Filter[] = [
  // cheapest first: readiness, taints and labels, then arithmetic, then the cluster's other pods
  (_pod, _want, node) => (node.ready ? undefined : unresolvable("node(s) were not ready")),
  (pod, _want, node) =>
    node.unschedulable && !tolerationsOf(pod.spec).some((t) => tolerates(t, CORDONED))
      ? unresolvable("node(s) were unschedulable")
      : undefined,
  (pod, _want, node) => {
    const taint = untoleratedTaint(node.taints ?? [], tolerationsOf(pod.spec));
    return taint ? unresolvable(`node(s) had untolerated taint ${describeTaint(taint)}`) : undefined;
  },
  (pod, _want, node) =>
    nodeAffinityAdmits(pod.spec, node)
      ? undefined
      : unresolvable("node(s) didn't match Pod's node affinity/selector"),
  (pod, want, node) => {
    const held = reservedFor(pod, node);
    const reasons: string[] = [];
    if (held.pods + 1 > node.allocatable.pods) reasons.push("Too many pods");
    if (held.cpuMillis + want.cpuMillis > node.allocatable.cpuMillis) reasons.push("Insufficient cpu");
    if (held.memoryBytes + want.memoryBytes > node.allocatable.memoryBytes)
      reasons.push("Insufficient memory");
    return reasons.length ? { reasons, resolvable: true } : undefined;
  },
  (pod, _want, node, view) => {
    const reason = interPodAffinityReason(pod, node, view);
    if (!reason) return undefined;
    // only anti-affinity can be cured by evicting pods, as kube-scheduler judges
    return { reasons: [reason], resolvable: !reason.includes("didn't match pod affinity") };
  },
];

/** The first filter that rejects the node, as kube-scheduler stops at the first failing plugin. */
export function rejection(pod: Pod, want: ResourceAmounts, node: NodeCandidate, view: ClusterView) {
  for (const filter of FILTERS) {
    const r = filter(pod, want, node, view);
    if (r) return r;
  }
  return undefined;
}
