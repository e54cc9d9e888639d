import { tolerates } from "../../core/k8s/scheduling/taints";
import type { Taint, Toleration } from "../../core/k8s/scheduling/types";
import { rfc3339 } from "../../core/k8s/time";
import type { Pod } from "../../core/k8s/types";
import { UNREACHABLE } from "../../db/nodes";

/** What the node lifecycle controller decides from a node's heartbeat. */
export interface NodeVerdict {
  /** The taints the controller keeps on the node (none while it is Ready). */
  conditionTaints: Taint[];
  /** Whether that is a change, so Ready's lastTransitionTime moves. */
  changed: boolean;
}

/**
 * kube-controller-manager's node lifecycle, for one node: a heartbeat older than `graceMs` makes it
 * Unknown and tainted `node.kubernetes.io/unreachable` (NoSchedule, and NoExecute with the time it was
 * added, from which pods' tolerations count); a fresh heartbeat lifts the taints. Pure.
 */
export function nodeVerdict(
  node: { heartbeatAt: Date; conditionTaints: Taint[] },
  now: Date,
  graceMs: number,
): NodeVerdict {
  const lost = now.getTime() - node.heartbeatAt.getTime() >= graceMs;
  const tainted = node.conditionTaints.some((t) => t.key === UNREACHABLE);
  if (lost === tainted) return { conditionTaints: node.conditionTaints, changed: false };
  if (!lost) return { conditionTaints: [], changed: true };
  return {
    conditionTaints: [
      { key: UNREACHABLE, effect: "NoSchedule" },
      { key: UNREACHABLE, effect: "NoExecute", timeAdded: rfc3339(now) },
    ],
    changed: true,
  };
}

/**
 * How long a pod may stay on a node with this NoExecute taint, as the taint manager counts it: not at all
 * when no toleration matches, the least tolerationSeconds of those that match, forever (undefined) when
 * none of them bounds it.
 */
export function tolerationMs(pod: Pod, taint: Taint): number | undefined {
  const matching = ((pod.spec.tolerations as Toleration[] | undefined) ?? []).filter((t) =>
    tolerates(t, taint),
  );
  if (!matching.length) return 0;
  const bounded = matching.flatMap((t) => (t.tolerationSeconds === undefined ? [] : [t.tolerationSeconds]));
  return bounded.length ? Math.max(0, Math.min(...bounded)) * 1000 : undefined;
}

/** The pods of a node whose toleration of its NoExecute taint ran out, and when the next one does. */
export function evictions(
  pods: Pod[],
  taint: Taint,
  now: Date,
): { evict: Pod[]; nextInMs: number | undefined } {
  const since = taint.timeAdded ? Date.parse(taint.timeAdded) : now.getTime();
  const evict: Pod[] = [];
  let nextInMs: number | undefined;
  for (const pod of pods) {
    const ms = tolerationMs(pod, taint);
    if (ms === undefined) continue;
    const left = since + ms - now.getTime();
    if (left <= 0) evict.push(pod);
    else nextInMs = Math.min(nextInMs ?? left, left);
  }
  return { evict, nextInMs };
}
