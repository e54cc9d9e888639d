import type { KubeObject } from "../types";

/** scheduling.k8s.io/v1 PriorityClass. */
export interface PriorityClass extends KubeObject {
  value: number;
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: "PreemptLowerPriority" | "Never";
}

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_PRIORITY_CLASS_PREFIX = "system-";

function systemClass(name: string, value: number, description: string): PriorityClass {
  return {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name },
    value,
    description,
    preemptionPolicy: "PreemptLowerPriority",
  };
}

/** The classes kube-apiserver creates in every cluster; they cannot be changed or deleted. */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  systemClass(
    "system-node-critical",
    2_000_001_000,
    "Used for system critical pods that must not be moved from their current node.",
  ),
  systemClass(
    "system-cluster-critical",
    2_000_000_000,
    "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
  ),
];

export function isSystemPriorityClass(name: string): boolean {
  return SYSTEM_PRIORITY_CLASSES.some((c) => c.metadata.name === name);
}

/** What the Priority admission plugin writes into a new pod's spec. */
export interface ResolvedPriority {
  priorityClassName?: string;
  priority: number;
  preemptionPolicy: "PreemptLowerPriority" | "Never";
}

/**
 * Resolves a new pod's priority as kube-apiserver's Priority admission plugin does: from its
 * priorityClassName, else from the cluster's globalDefault class (whose name the pod then carries), else 0.
 * Returns the refusal's message when the class is unknown or the spec's own priority disagrees. Pure.
 */
export function resolvePriority(
  spec: { priorityClassName?: unknown; priority?: unknown; preemptionPolicy?: unknown },
  classes: PriorityClass[],
): ResolvedPriority | { refused: string } {
  const named = typeof spec.priorityClassName === "string" ? spec.priorityClassName : "";
  const all = [
    ...SYSTEM_PRIORITY_CLASSES,
    ...classes.filter((c) => !isSystemPriorityClass(c.metadata.name ?? "")),
  ];
  const pc = named
    ? all.find((c) => c.metadata.name === named)
    : // the lowest of several defaults wins, as the plugin picks it
      all.filter((c) => c.globalDefault).sort((a, b) => a.value - b.value)[0];
  if (named && !pc) return { refused: `no PriorityClass with name ${named} was found` };
  const policy = spec.preemptionPolicy as ResolvedPriority["preemptionPolicy"] | undefined;
  if (!pc && typeof spec.priority === "number" && spec.priority !== 0) {
    return {
      refused: `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name`,
    };
  }
  if (!pc) return { priority: 0, preemptionPolicy: policy ?? "PreemptLowerPriority" };
  const resolved: ResolvedPriority = {
    priorityClassName: pc.metadata.name,
    priority: pc.value,
    preemptionPolicy: pc.preemptionPolicy ?? "PreemptLowerPriority",
  };
  if (typeof spec.priority === "number" && spec.priority !== resolved.priority) {
    return {
      refused: `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${resolved.priority} from the given PriorityClass name`,
    };
  }
  if (policy && policy !== resolved.preemptionPolicy) {
    return {
      refused: `the string value of PreemptionPolicy (${policy}) must not be provided in pod spec; priority admission controller computed ${resolved.preemptionPolicy} from the given PriorityClass`,
    };
  }
  return resolved;
}
