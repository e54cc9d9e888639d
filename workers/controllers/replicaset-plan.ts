import { isTerminal } from "../../core/k8s/pods";
import type { Pod } from "../../core/k8s/types";
import type { ReplicaSet } from "../../core/k8s/workloads/types";

export interface ReplicaSetPlan {
  /** How many pods to create from the template. */
  create: number;
  /** Names of pods to delete, the least useful first. */
  remove: string[];
  status: NonNullable<ReplicaSet["status"]>;
}

const BURST = 100;

export function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export function isAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
  if (!ready) return false;
  return (
    minReadySeconds <= 0 || now.getTime() - Date.parse(ready.lastTransitionTime) >= minReadySeconds * 1000
  );
}

/** kube-controller-manager's deletion order: unscheduled, pending, not ready, then the youngest. */
function deletionRank(pod: Pod): number[] {
  return [
    pod.spec.nodeName ? 1 : 0,
    pod.status?.phase === "Pending" ? 0 : 1,
    isReady(pod) ? 1 : 0,
    -Date.parse(pod.metadata.creationTimestamp ?? "1970-01-01T00:00:00Z"),
  ];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * What a ReplicaSet needs: as many active pods as `spec.replicas` (at most BURST created per pass), and
 * the status counters kubectl shows. `pods` are the pods it controls. Pure.
 */
export function planReplicaSet(rs: ReplicaSet, pods: Pod[], now: Date): ReplicaSetPlan {
  const active = pods.filter((p) => !p.metadata.deletionTimestamp && !isTerminal(p));
  const desired = rs.spec.replicas ?? 1;
  const diff = desired - active.length;
  const remove =
    diff < 0
      ? [...active]
          .sort((a, b) => compareRanks(deletionRank(a), deletionRank(b)))
          .slice(0, -diff)
          .map((p) => p.metadata.name ?? "")
      : [];
  const templateLabels = rs.spec.template.metadata?.labels ?? {};
  const fullyLabeled = active.filter((p) =>
    Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v),
  ).length;
  return {
    create: Math.min(Math.max(diff, 0), BURST),
    remove,
    status: {
      replicas: active.length,
      fullyLabeledReplicas: fullyLabeled,
      readyReplicas: active.filter(isReady).length,
      availableReplicas: active.filter((p) => isAvailable(p, rs.spec.minReadySeconds ?? 0, now)).length,
      observedGeneration: rs.metadata.generation ?? 1,
    },
  };
}
