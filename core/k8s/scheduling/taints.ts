import type { Taint, TaintEffect, Toleration } from "./types";

export const TAINT_EFFECTS: readonly TaintEffect[] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** The toleration matches the taint: same key (or any with an empty key and Exists), value and effect. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (!toleration.key && toleration.operator !== "Exists") return false;
  if (toleration.operator === "Exists") return true;
  return (toleration.value ?? "") === (taint.value ?? "");
}

/** The first taint of the given effects that no toleration matches, if any. */
export function untoleratedTaint(
  taints: Taint[],
  tolerations: Toleration[],
  effects: readonly TaintEffect[] = ["NoSchedule", "NoExecute"],
): Taint | undefined {
  return taints.find(
    (taint) => effects.includes(taint.effect) && !tolerations.some((t) => tolerates(t, taint)),
  );
}

/** How many PreferNoSchedule taints the pod does not tolerate (fewer is better). */
export function intolerablePreferNoSchedule(taints: Taint[], tolerations: Toleration[]): number {
  return taints.filter(
    (taint) => taint.effect === "PreferNoSchedule" && !tolerations.some((t) => tolerates(t, taint)),
  ).length;
}

/** kube-scheduler's wording of a taint in its reasons: `{key: value}`. */
export function describeTaint(taint: Taint): string {
  return `{${taint.key}: ${taint.value ?? ""}}`;
}

/**
 * A node's taints as one cluster sees them: the platform's, which no cluster can lift, then those the
 * cluster added itself (`kubectl taint`); one taint per key and effect, the platform's first.
 */
export function mergeTaints(platform: Taint[], own: Taint[] | undefined): Taint[] {
  return [
    ...platform,
    ...(own ?? []).filter((t) => !platform.some((p) => p.key === t.key && p.effect === t.effect)),
  ];
}
