import { podRequests } from "../../core/k8s/requests";
import type { Pod } from "../../core/k8s/types";
import type { ClusterView, NodeCandidate } from "./candidate";
import { type Rejection, rejection } from "./filters";
import { availability, type Preemption, planPreemption } from "./preemption";
import { scoreNodes } from "./scoring";

export type { ClusterView, NodeCandidate } from "./candidate";

/**
 * Where the pod goes, or why it cannot go anywhere; a pod that fits nowhere may still be given the node
 * where evicting `victims` makes room (it stays Pending, nominated to that node, until they are gone); a
 * pod that no longer waits for victims loses its nomination.
 */
export type Decision =
  | { node: string }
  | { unschedulable: string; preempt?: Preemption; waitingForVictims?: true };

/**
 * Picks a node for the pod (see README.md): filters, then weighted scores, ties broken by node order
 * (callers shuffle with a seed in production, keep it sorted in tests); when nothing fits, preemption.
 * Messages follow kube-scheduler's wording. Pure.
 */
export function schedulePod(
  pod: Pod,
  nodes: NodeCandidate[],
  namespaceLabels: ClusterView["namespaceLabels"] = {},
): Decision {
  const view: ClusterView = { nodes, namespaceLabels };
  const want = podRequests(pod);
  const rejections = new Map<string, Rejection>();
  const feasible: NodeCandidate[] = [];
  for (const node of nodes) {
    const r = rejection(pod, want, node, view);
    if (r) rejections.set(node.name, r);
    else feasible.push(node);
  }
  if (feasible.length > 0) {
    const scores = scoreNodes(pod, feasible, view);
    let best = 0;
    for (let i = 1; i < feasible.length; i++) if ((scores[i] ?? 0) > (scores[best] ?? 0)) best = i;
    return { node: (feasible[best] as NodeCandidate).name };
  }
  const reasons = new Map<string, number>();
  for (const r of rejections.values())
    for (const reason of r.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  const fit = availability(nodes.length, reasons);
  const outcome = planPreemption(pod, want, view, rejections);
  if ("preempt" in outcome) return { unschedulable: fit, preempt: outcome.preempt };
  return {
    unschedulable: `${fit} preemption: ${outcome.message}`,
    ...(outcome.waiting ? { waitingForVictims: true as const } : {}),
  };
}
