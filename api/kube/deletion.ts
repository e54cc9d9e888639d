import type { ResourceType } from "../../core/k8s/resources";
import { rfc3339 } from "../../core/k8s/time";
import type { KubeObject } from "../../core/k8s/types";
import { invalidError } from "../../core/k8s/validation/field-errors";
import { finalizerErrors } from "../../core/k8s/validation/meta";
import type { ObjectKey } from "../../db/store";
import type { ApiDeps } from "../env";
import type { DeleteOptions, DeleteOutcome } from "./strategies/strategy";

const FOREGROUND = "foregroundDeletion";

/** Pods and namespaces have deletion machinery of their own (graceful termination, namespace finalizer). */
function ownMachinery(type: ResourceType): boolean {
  return type.group === "" && (type.resource === "pods" || type.resource === "namespaces");
}

/**
 * A DELETE that cannot remove the object at once: it has finalizers, or the caller asked for foreground
 * propagation. The object is marked (deletionTimestamp, and the `foregroundDeletion` finalizer for the
 * latter) and stays until its finalizers are gone — the store removes it then. Undefined when the object
 * may simply go.
 */
export async function markForDeletion(
  deps: ApiDeps,
  type: ResourceType,
  key: ObjectKey,
  current: KubeObject,
  options: DeleteOptions,
): Promise<DeleteOutcome | undefined> {
  if (ownMachinery(type)) return undefined;
  const foreground = options.propagationPolicy === "Foreground";
  if (!foreground && !current.metadata.finalizers?.length) return undefined;
  if (current.metadata.deletionTimestamp) return { kind: "pending", object: current };
  const marked = await deps.store.mutate(key, (o) => {
    if (o.metadata.uid !== current.metadata.uid || o.metadata.deletionTimestamp) return undefined;
    o.metadata.deletionTimestamp = rfc3339(deps.now());
    o.metadata.deletionGracePeriodSeconds = 0;
    if (foreground && !o.metadata.finalizers?.includes(FOREGROUND))
      o.metadata.finalizers = [...(o.metadata.finalizers ?? []), FOREGROUND];
    return o;
  });
  return { kind: "pending", object: marked ?? current };
}

/**
 * What a user's write may not do to metadata: set, move or clear a deletion mark (the stored one stands),
 * or add finalizers to an object being deleted (a 422, as kube-apiserver).
 */
export function guardDeletionMarks(next: KubeObject, current: KubeObject, type: ResourceType): void {
  for (const field of ["deletionTimestamp", "deletionGracePeriodSeconds"] as const) {
    if (current.metadata[field] === undefined) delete next.metadata[field];
    else (next.metadata as Record<string, unknown>)[field] = current.metadata[field];
  }
  const errors = finalizerErrors(next, current);
  if (errors.length) throw invalidError(type.kind, next.metadata.name ?? "", errors, type.group);
}
