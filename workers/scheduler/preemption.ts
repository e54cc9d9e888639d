import { podRequests, type ResourceAmounts } from "../../core/k8s/requests";
import type { Pod } from "../../core/k8s/types";
import { type ClusterView, type NodeCandidate, priorityOf } from "./candidate";
import { type Rejection, rejection } from "./filters";

/** Where the pod will go once the victims, all of its own cluster, are gone. */
export interface Preemption {
  node: string;
  victims: Pod[];
}

/** `waiting`: the pod's earlier victims are still terminating, so it keeps its nominated node. */
export type PreemptionOutcome = { preempt: Preemption } | { message: string; waiting?: true };

function without(node: NodeCandidate, gone: Pod[]): NodeCandidate {
  const requested = { ...node.requested };
  for (const p of gone) {
    const r = podRequests(p);
    requested.cpuMillis -= r.cpuMillis;
    requested.memoryBytes -= r.memoryBytes;
    requested.pods -= 1;
  }
  return { ...node, requested, pods: (node.pods ?? []).filter((p) => !gone.includes(p)) };
}

function fitsWithout(pod: Pod, want: ResourceAmounts, view: ClusterView, node: NodeCandidate, gone: Pod[]) {
  const changed = without(node, gone);
  const nodes = view.nodes.map((n) => (n === node ? changed : n));
  return rejection(pod, want, changed, { ...view, nodes }) === undefined;
}

/** More important first: higher priority, then the older pod. */
function moreImportant(a: Pod, b: Pod): number {
  const byPriority = priorityOf(b) - priorityOf(a);
  if (byPriority !== 0) return byPriority;
  return (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "");
}

/**
 * The fewest lower-priority pods of the node to evict for the pod to fit: all of them out, then each put back,
 * most important first, while the pod still fits. Undefined when even evicting them all would not do.
 */
function victimsOn(
  pod: Pod,
  want: ResourceAmounts,
  view: ClusterView,
  node: NodeCandidate,
): Pod[] | undefined {
  const lower = (node.pods ?? [])
    .filter((p) => priorityOf(p) < priorityOf(pod) && !p.metadata.deletionTimestamp)
    .sort(moreImportant);
  if (lower.length === 0 || !fitsWithout(pod, want, view, node, lower)) return undefined;
  const victims = [...lower];
  for (const candidate of lower) {
    const fewer = victims.filter((v) => v !== candidate);
    if (fitsWithout(pod, want, view, node, fewer)) victims.splice(victims.indexOf(candidate), 1);
  }
  return victims;
}

/** Lexicographic: lowest highest victim priority, lowest sum of priorities, fewest victims. */
function cost(victims: Pod[]): number[] {
  const priorities = victims.map(priorityOf);
  return [Math.max(...priorities), priorities.reduce((a, b) => a + b, 0), victims.length];
}

function cheaper(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/**
 * kube-scheduler's default PostFilter, for a pod that fits nowhere: picks the node where evicting the
 * cheapest set of its own cluster's lower-priority pods makes it fit, or says why preemption cannot help
 * (the text after `preemption: ` in the FailedScheduling message). Pure.
 */
export function planPreemption(
  pod: Pod,
  want: ResourceAmounts,
  view: ClusterView,
  rejections: Map<string, Rejection>,
): PreemptionOutcome {
  if (pod.spec.preemptionPolicy === "Never")
    return { message: "not eligible due to preemptionPolicy=Never." };
  const nominated = pod.status?.nominatedNodeName;
  const nominatedNode = view.nodes.find((n) => n.name === nominated);
  if (nominatedNode?.pods?.some((p) => p.metadata.deletionTimestamp && priorityOf(p) < priorityOf(pod)))
    return { message: "not eligible due to a terminating pod on the nominated node.", waiting: true };
  const reasons = new Map<string, number>();
  const count = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
  let best: { node: string; victims: Pod[]; cost: number[] } | undefined;
  for (const node of view.nodes) {
    if (!rejections.get(node.name)?.resolvable) {
      count("Preemption is not helpful for scheduling");
      continue;
    }
    const victims = victimsOn(pod, want, view, node);
    if (!victims) {
      count("No preemption victims found for incoming pod");
      continue;
    }
    const c = cost(victims);
    if (!best || cheaper(c, best.cost)) best = { node: node.name, victims, cost: c };
  }
  if (best) return { preempt: { node: best.node, victims: best.victims } };
  return { message: availability(view.nodes.length, reasons) };
}

/** `0/N nodes are available: 1 reason, 2 other reason.`, sorted as kube-scheduler sorts them. */
export function availability(total: number, reasons: Map<string, number>): string {
  const counts = [...reasons]
    .map(([r, n]) => `${n} ${r}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join(", ");
  return `0/${total} nodes are available${counts ? `: ${counts}` : ""}.`;
}
