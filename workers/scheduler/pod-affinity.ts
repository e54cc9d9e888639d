import { affinityOf, type PodAffinityTerm } from "../../core/k8s/scheduling/types";
import { fromStructured, matchesLabels, type StructuredLabelSelector } from "../../core/k8s/selectors";
import type { Pod } from "../../core/k8s/types";
import type { ClusterView, NodeCandidate } from "./candidate";

function selectorMatches(
  selector: StructuredLabelSelector | null | undefined,
  labels?: Record<string, string>,
) {
  // a null selector selects nothing, an empty one everything
  return selector ? matchesLabels(fromStructured(selector), labels) : false;
}

/** The term, declared by `owner`, selects `pod`: its namespace is in the term's set and its labels match. */
export function termSelects(term: PodAffinityTerm, owner: Pod, pod: Pod, view: ClusterView): boolean {
  const namespace = pod.metadata.namespace ?? "default";
  const listed = term.namespaces ?? [];
  const inNamespaces =
    !term.namespaceSelector && listed.length === 0
      ? namespace === (owner.metadata.namespace ?? "default")
      : listed.includes(namespace) ||
        (!!term.namespaceSelector &&
          selectorMatches(term.namespaceSelector, view.namespaceLabels[namespace] ?? {}));
  return inNamespaces && selectorMatches(term.labelSelector, pod.metadata.labels);
}

function sameDomain(a: NodeCandidate, b: NodeCandidate, key: string): boolean {
  const value = a.labels[key];
  return value !== undefined && b.labels[key] === value;
}

function podsIn(view: ClusterView, node: NodeCandidate, key: string): Pod[] {
  return view.nodes.filter((n) => sameDomain(n, node, key)).flatMap((n) => n.pods ?? []);
}

function allPods(view: ClusterView): Pod[] {
  return view.nodes.flatMap((n) => n.pods ?? []);
}

/**
 * The required pod affinity, pod anti-affinity and existing pods' anti-affinity admit the node; else the
 * reason kube-scheduler's InterPodAffinity counts.
 */
export function interPodAffinityReason(pod: Pod, node: NodeCandidate, view: ClusterView): string | undefined {
  const affinity = affinityOf(pod.spec);
  const required = affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  if (required.length) {
    if (!required.every((t) => node.labels[t.topologyKey] !== undefined)) return AFFINITY;
    const satisfied = required.every((t) =>
      podsIn(view, node, t.topologyKey).some((p) => termSelects(t, pod, p, view)),
    );
    if (!satisfied) {
      // the first pod of a group that selects itself may go anywhere its topology keys exist
      const anyMatch = required.some((t) => allPods(view).some((p) => termSelects(t, pod, p, view)));
      const selfMatch = required.every((t) => termSelects(t, pod, pod, view));
      if (anyMatch || !selfMatch) return AFFINITY;
    }
  }
  const anti = affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  if (anti.some((t) => podsIn(view, node, t.topologyKey).some((p) => termSelects(t, pod, p, view))))
    return ANTI_AFFINITY;
  for (const other of view.nodes) {
    for (const existing of other.pods ?? []) {
      const terms =
        affinityOf(existing.spec).podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
      if (terms.some((t) => sameDomain(other, node, t.topologyKey) && termSelects(t, existing, pod, view)))
        return EXISTING_ANTI_AFFINITY;
    }
  }
  return undefined;
}

export const AFFINITY = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

/**
 * The raw InterPodAffinity score: weights of the pod's preferred (anti-)affinity terms for each matching pod
 * in the node's domain, plus the existing pods' preferred terms that select the pod (symmetry).
 */
export function interPodAffinityScore(pod: Pod, node: NodeCandidate, view: ClusterView): number {
  const affinity = affinityOf(pod.spec);
  let score = 0;
  for (const [terms, sign] of [
    [affinity.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [], 1],
    [affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [], -1],
  ] as const) {
    for (const { weight, podAffinityTerm: t } of terms)
      score +=
        sign * weight * podsIn(view, node, t.topologyKey).filter((p) => termSelects(t, pod, p, view)).length;
  }
  for (const other of view.nodes) {
    for (const existing of other.pods ?? []) {
      const theirs = affinityOf(existing.spec);
      for (const [terms, sign] of [
        [theirs.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [], 1],
        [theirs.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [], -1],
      ] as const) {
        for (const { weight, podAffinityTerm: t } of terms)
          if (sameDomain(other, node, t.topologyKey) && termSelects(t, existing, pod, view))
            score += sign * weight;
      }
    }
  }
  return score;
}

/** Whether anything in the view involves pod affinity, so that namespaces' labels need loading. */
export function usesPodAffinity(pods: Pod[]): boolean {
  return pods.some((p) => {
    const a = affinityOf(p.spec);
    return !!(a.podAffinity || a.podAntiAffinity);
  });
}
