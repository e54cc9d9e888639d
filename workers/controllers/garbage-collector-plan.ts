import type { KubeObject } from "../../core/k8s/types";

export const FOREGROUND = "foregroundDeletion";
export const ORPHAN = "orphan";

export interface Dependent<K> {
  key: K;
  object: KubeObject;
}

export type CollectAction<K> =
  | { kind: "delete"; dependent: Dependent<K> }
  | { kind: "deleteForeground"; dependent: Dependent<K> }
  | { kind: "dropOwner"; dependent: Dependent<K> }
  /** The owner's finalizer of that name is done with. */
  | { kind: "finalize"; finalizer: string };

function alone(d: Dependent<unknown>, ownerUid: string): boolean {
  return (d.object.metadata.ownerReferences ?? []).every((r) => r.uid === ownerUid);
}

/**
 * What the garbage collector does about one owner and the objects that name it, as kube-controller-manager:
 * an owner that is gone takes its sole dependents with it (background); an owner deleted in the foreground
 * waits until its dependents are gone, deleting them in the foreground too; an orphaning owner lets them go
 * first. Dependents with other owners only lose this one. Pure.
 */
export function planCollection<K>(
  owner: KubeObject | undefined,
  ownerUid: string,
  dependents: Dependent<K>[],
): CollectAction<K>[] {
  if (owner && !owner.metadata.deletionTimestamp) return [];
  const finalizers = owner?.metadata.finalizers ?? [];
  if (owner && finalizers.includes(ORPHAN))
    return [
      ...dependents.map((d) => ({ kind: "dropOwner" as const, dependent: d })),
      { kind: "finalize", finalizer: ORPHAN },
    ];
  const foreground = owner !== undefined && finalizers.includes(FOREGROUND);
  if (owner && !foreground) return [];
  const actions: CollectAction<K>[] = [];
  for (const d of dependents) {
    if (!alone(d, ownerUid)) actions.push({ kind: "dropOwner", dependent: d });
    else if (d.object.metadata.deletionTimestamp) continue;
    else actions.push({ kind: foreground ? "deleteForeground" : "delete", dependent: d });
  }
  if (foreground && dependents.every((d) => !alone(d, ownerUid)))
    actions.push({ kind: "finalize", finalizer: FOREGROUND });
  return actions;
}
