import type { NodeSelectorRequirement, NodeSelectorTerm } from "./types";
import { affinityOf } from "./types";

/** A node as affinity sees it: its name (for matchFields) and labels. */
export interface LabelledNode {
  name: string;
  labels: Record<string, string>;
}

/** An integer as Kubernetes parses Gt/Lt operands; anything else never matches. */
function integer(value: string | undefined): number | undefined {
  return value !== undefined && /^[+-]?\d+$/.test(value) ? Number(value) : undefined;
}

export function requirementHolds(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const [have, want] = [integer(value), integer(values[0])];
      if (have === undefined || want === undefined || values.length !== 1) return false;
      return req.operator === "Gt" ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its requirements hold; an empty term matches nothing, as in kube. */
export function termMatches(term: NodeSelectorTerm, node: LabelledNode): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return (
    exprs.every((r) => requirementHolds(r, node.labels[r.key])) &&
    fields.every((r) => requirementHolds(r, r.key === "metadata.name" ? node.name : undefined))
  );
}

/**
 * The pod's nodeSelector and required node affinity both admit the node (terms are ORed; no required
 * affinity admits every node).
 */
export function nodeAffinityAdmits(
  spec: { nodeSelector?: Record<string, string>; affinity?: unknown },
  node: LabelledNode,
): boolean {
  if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => node.labels[k] === v)) return false;
  const required = affinityOf(spec).nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

/** The sum of the weights of the preferred node affinity terms the node matches. */
export function preferredNodeAffinityScore(spec: { affinity?: unknown }, node: LabelledNode): number {
  const preferred = affinityOf(spec).nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  return preferred.reduce((sum, p) => sum + (termMatches(p.preference, node) ? p.weight : 0), 0);
}
