import { PLATFORM_BUDGET } from "../../core/k8s/budget";
import { listTypesOf } from "../../core/k8s/crd/list-types";
import { KubeError, kubeErrors, statusFailure } from "../../core/k8s/errors";
import { recordUpdate } from "../../core/k8s/managed-fields/managed-fields";
import type { ResourceType } from "../../core/k8s/resources";
import { strategyFor } from "../../core/k8s/strategies";
import { updateEphemeralContainers } from "../../core/k8s/strategies/pods";
import { rfc3339 } from "../../core/k8s/time";
import type { KubeObject } from "../../core/k8s/types";
import { invalidError } from "../../core/k8s/validation/field-errors";
import { finalizerErrors } from "../../core/k8s/validation/meta";
import type { ObjectKey } from "../../core/objects";

/** The subresources an update may go through; anything else is a write of the whole object. */
export type Subresource = "status" | "ephemeralcontainers";

export interface PrepareContext {
  now: Date;
  /** Who writes, for managedFields: `kubectl`, `helm`, `kube-controller-manager`… */
  manager: string;
  /** Server-side apply: the object's managedFields were worked out by the caller and stand as they are. */
  applied?: boolean;
  subresource?: Subresource;
}

/** A new object as it is stored: a fresh uid, the kind's defaults and validation, its writer's fields. */
export function prepareCreate(type: ResourceType, obj: KubeObject, ctx: PrepareContext): KubeObject {
  const prepared = strategyFor(type).create(obj, { now: ctx.now, type });
  if (!ctx.applied) trackManagers(type, undefined, prepared, ctx);
  return prepared;
}

/**
 * A replacement of `current` as it is stored: through the kind's strategy (or the subresource's rules), the
 * deletion marks kept as stored, ownership recorded for the writer (a status write leaves it as it was).
 */
export function prepareUpdate(
  type: ResourceType,
  next: KubeObject,
  current: KubeObject,
  ctx: PrepareContext,
): KubeObject {
  const strategy = strategyFor(type);
  const sctx = { now: ctx.now, type };
  const prepared =
    ctx.subresource === "status"
      ? strategy.updateStatus(next, current, sctx)
      : ctx.subresource === "ephemeralcontainers"
        ? updateEphemeralContainers(next, current)
        : strategy.update(next, current, sctx);
  guardDeletionMarks(prepared, current, type);
  if (!ctx.applied) trackManagers(type, current, prepared, ctx);
  return prepared;
}

function trackManagers(
  type: ResourceType,
  current: KubeObject | undefined,
  next: KubeObject,
  ctx: PrepareContext,
): void {
  if (ctx.subresource === "status") {
    next.metadata.managedFields = current?.metadata.managedFields;
    if (!next.metadata.managedFields) delete next.metadata.managedFields;
    return;
  }
  const managed = recordUpdate(current, next, ctx.manager, rfc3339(ctx.now), listTypesOf(type));
  if (managed.length) next.metadata.managedFields = managed;
  else delete next.metadata.managedFields;
}

/**
 * What a write may not do to metadata: set, move or clear a deletion mark (the stored one stands), or add
 * finalizers to an object being deleted (a 422, as kube-apiserver).
 */
export function guardDeletionMarks(next: KubeObject, current: KubeObject, type: ResourceType): void {
  for (const field of ["deletionTimestamp", "deletionGracePeriodSeconds"] as const) {
    if (current.metadata[field] === undefined) delete next.metadata[field];
    else (next.metadata as Record<string, unknown>)[field] = current.metadata[field];
  }
  const errors = finalizerErrors(next, current);
  if (errors.length) throw invalidError(type.kind, next.metadata.name ?? "", errors, type.group);
}

/** Whether the key names the platform's quota: the cluster's budget, shown in the cluster but never stored. */
export function isPlatformOwned(key: Pick<ObjectKey, "group" | "resource" | "namespace" | "name">): boolean {
  return (
    key.group === "" &&
    key.resource === "resourcequotas" &&
    key.namespace === "kube-system" &&
    key.name === PLATFORM_BUDGET
  );
}

/** Any write to a platform-owned object: refused, whoever asks. */
export function refusePlatformOwned(key: Pick<ObjectKey, "group" | "resource" | "namespace" | "name">): void {
  if (!isPlatformOwned(key)) return;
  throw kubeErrors.forbidden(
    `resourcequotas "${PLATFORM_BUDGET}" is forbidden: it is this cluster's budget, set by the platform; it changes only through the management API`,
  );
}

const TERMINATING = "NamespaceTerminating";

/** kube-apiserver's NamespaceLifecycle refusal of new content in a namespace being deleted. */
export function namespaceTerminating(namespace: string): KubeError {
  const message = `unable to create new content in namespace ${namespace} because it is being terminated`;
  return new KubeError(
    statusFailure(403, "Forbidden", message, {
      causes: [{ reason: TERMINATING, message, field: "metadata.namespace" }],
    }),
  );
}

/** Whether a write was refused because its namespace is being deleted (controllers then let it be). */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof KubeError && !!err.status.details?.causes?.some((c) => c.reason === TERMINATING);
}
