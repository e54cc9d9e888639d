import { kubeErrors } from "../../core/k8s/errors";
import type { ResourceType } from "../../core/k8s/resources";
import { isSystemPriorityClass } from "../../core/k8s/scheduling/priority";
import { rfc3339 } from "../../core/k8s/time";
import type { KubeObject, Pod } from "../../core/k8s/types";
import type { ObjectKey } from "../../core/objects";
import type { ObjectStore } from "../store";

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
}

/**
 * `gone`: removed from storage. `pending`: marked for deletion; a controller (or the node agent) finishes it
 * later. `dry-run`: nothing was done, the object is as it was.
 */
export type DeleteOutcome =
  | { kind: "gone"; object: KubeObject }
  | { kind: "pending"; object: KubeObject }
  | { kind: "dry-run"; object: KubeObject };

type Deleting = { store: ObjectStore; now: () => Date };

const FOREGROUND = "foregroundDeletion";
const IMMORTAL_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

const isCore = (type: ResourceType, resource: string) => type.group === "" && type.resource === resource;

/** Deletes `current` as its kind is deleted in kube-apiserver: at once, or marked for its machinery. */
export async function deleteAsKind(
  o: Deleting,
  type: ResourceType,
  key: ObjectKey,
  current: KubeObject,
  options: DeleteOptions,
): Promise<DeleteOutcome> {
  if (isCore(type, "pods")) return deletePod(o, key, current as Pod, options);
  if (isCore(type, "namespaces")) return deleteNamespace(o, key, current);
  if (
    type.group === "scheduling.k8s.io" &&
    type.resource === "priorityclasses" &&
    isSystemPriorityClass(key.name)
  )
    throw kubeErrors.forbidden(
      `priorityclasses.scheduling.k8s.io "${key.name}" is forbidden: this is a system priority class and cannot be deleted`,
    );
  const marked = await markForDeletion(o, key, current, options);
  if (marked) return marked;
  if (type.kind === "Deployment" || type.kind === "ReplicaSet")
    if (options.propagationPolicy === "Orphan") await orphanDependents(o.store, key, current);
  return { kind: "gone", object: await o.store.delete(key, options.preconditions) };
}

/**
 * A deletion that cannot remove the object at once: it has finalizers, or the caller asked for foreground
 * propagation. The object is marked (deletionTimestamp, and the `foregroundDeletion` finalizer for the
 * latter) and stays until its finalizers are gone — the store removes it then. Undefined when the object
 * may simply go.
 */
async function markForDeletion(
  o: Deleting,
  key: ObjectKey,
  current: KubeObject,
  options: DeleteOptions,
): Promise<DeleteOutcome | undefined> {
  const foreground = options.propagationPolicy === "Foreground";
  if (!foreground && !current.metadata.finalizers?.length) return undefined;
  if (current.metadata.deletionTimestamp) return { kind: "pending", object: current };
  const marked = await o.store.mutate(key, (obj) => {
    if (obj.metadata.uid !== current.metadata.uid || obj.metadata.deletionTimestamp) return undefined;
    obj.metadata.deletionTimestamp = rfc3339(o.now());
    obj.metadata.deletionGracePeriodSeconds = 0;
    if (foreground && !obj.metadata.finalizers?.includes(FOREGROUND))
      obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), FOREGROUND];
    return obj;
  });
  return { kind: "pending", object: marked ?? current };
}

/** A pod that runs on a node is marked and left to the node agent, which stops its containers first. */
async function deletePod(
  o: Deleting,
  key: ObjectKey,
  pod: Pod,
  options: DeleteOptions,
): Promise<DeleteOutcome> {
  if (!pod.spec.nodeName || options.gracePeriodSeconds === 0)
    return { kind: "gone", object: await o.store.delete(key, options.preconditions) };
  if (pod.metadata.deletionTimestamp) return { kind: "pending", object: pod };
  const grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  const marked = await o.store.mutate(key, (p) => {
    p.metadata.deletionTimestamp = rfc3339(new Date(o.now().getTime() + grace * 1000));
    p.metadata.deletionGracePeriodSeconds = grace;
    return p;
  });
  if (!marked) return { kind: "gone", object: pod };
  return { kind: "pending", object: marked };
}

/** A namespace is marked Terminating; the namespace controller empties it, then removes it. */
async function deleteNamespace(o: Deleting, key: ObjectKey, current: KubeObject): Promise<DeleteOutcome> {
  if (IMMORTAL_NAMESPACES.has(key.name))
    throw kubeErrors.forbidden(`namespaces "${key.name}" is forbidden: this namespace may not be deleted`);
  const marked =
    current.metadata.deletionTimestamp !== undefined
      ? current
      : await o.store.mutate(key, (ns) => {
          ns.metadata.deletionTimestamp = rfc3339(o.now());
          ns.status = { ...(ns.status as object), phase: "Terminating" };
          return ns;
        });
  return { kind: "pending", object: marked ?? current };
}

/** `propagationPolicy: Orphan` for a Deployment or ReplicaSet: its dependents lose their reference to it. */
async function orphanDependents(store: ObjectStore, key: ObjectKey, owner: KubeObject): Promise<void> {
  const kinds = [
    ["", "pods"],
    ["apps", "replicasets"],
    ["apps", "controllerrevisions"],
  ] as const;
  for (const [group, resource] of kinds) {
    const { items } = await store.list({
      clusterId: key.clusterId,
      group,
      resource,
      namespace: key.namespace,
    });
    for (const obj of items) {
      if (!obj.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) continue;
      await store.mutate({ ...key, group, resource, name: obj.metadata.name ?? "" }, (o) => {
        o.metadata.ownerReferences = o.metadata.ownerReferences?.filter((r) => r.uid !== owner.metadata.uid);
        if (!o.metadata.ownerReferences?.length) delete o.metadata.ownerReferences;
        return o;
      });
    }
  }
}
