import type { PodSpec } from "../../core/k8s/types";

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** A node as a DaemonSet sees it: its labels (hostname, os, arch and the platform's) and taints. */
export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
}

interface Requirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  values?: string[];
}

interface NodeSelectorTerm {
  matchExpressions?: Requirement[];
  matchFields?: Requirement[];
}

/** The toleration matches the taint: same key (or any with an empty key and Exists), value and effect. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (!toleration.key && toleration.operator !== "Exists") return false;
  if (toleration.operator === "Exists") return true;
  return (toleration.value ?? "") === (taint.value ?? "");
}

function requirementHolds(req: Requirement, value: string | undefined): boolean {
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
      return value !== undefined && Number(value) > Number(values[0]);
    case "Lt":
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

function termMatches(term: NodeSelectorTerm, node: NodeInfo): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return (
    exprs.every((r) => requirementHolds(r, node.labels[r.key])) &&
    fields.every((r) => requirementHolds(r, r.key === "metadata.name" ? node.name : undefined))
  );
}

/** The pod's required node affinity admits the node (any term matching; none set admits every node). */
export function affinityAdmits(spec: PodSpec, node: NodeInfo): boolean {
  const required = (
    spec.affinity as
      | {
          nodeAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
          };
        }
      | undefined
  )?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

/**
 * Whether a pod with this spec belongs on the node, as the DaemonSet controller decides: its nodeSelector
 * and required node affinity match, and it tolerates every NoSchedule and NoExecute taint. Pure.
 */
export function nodeShouldRun(spec: PodSpec, node: NodeInfo): boolean {
  if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => node.labels[k] === v)) return false;
  if (!affinityAdmits(spec, node)) return false;
  const tolerations = (spec.tolerations as Toleration[] | undefined) ?? [];
  return node.taints
    .filter((t) => t.effect !== "PreferNoSchedule")
    .every((taint) => tolerations.some((t) => tolerates(t, taint)));
}
