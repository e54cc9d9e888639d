import { findResourceTypeByKind } from "../../../core/k8s/resources";
import type { KubeObject } from "../../../core/k8s/types";
import type { ObjectKey } from "../../../core/objects";
import type { ApiDeps } from "../../env";
import { ApiError } from "../errors";

/** Where a manifest's object lives in the cluster, and how its kind is written. */
function locate(clusterId: string, namespace: string, obj: KubeObject) {
  const type = findResourceTypeByKind(obj.apiVersion, obj.kind);
  if (!type || type.virtual)
    throw new ApiError(
      422,
      "apply_failed",
      `resource mapping not found for name: "${obj.metadata?.name}" kind: "${obj.kind}" from apiVersion "${obj.apiVersion}"`,
    );
  const ns = type.namespaced ? (obj.metadata.namespace ?? namespace) : "";
  const key: ObjectKey = {
    clusterId,
    group: type.group,
    resource: type.resource,
    namespace: ns,
    name: obj.metadata.name ?? "",
  };
  return { type, key };
}

const MANAGED_BY = "app.kubernetes.io/managed-by";
const RELEASE_NAME = "meta.helm.sh/release-name";
const RELEASE_NAMESPACE = "meta.helm.sh/release-namespace";

function requireValue(kind: string, meta: Record<string, string> | undefined, key: string, want: string) {
  const actual = meta?.[key];
  if (actual === undefined) return `${kind} validation error: missing key "${key}": must be set to "${want}"`;
  if (actual !== want)
    return `${kind} validation error: key "${key}" must equal "${want}": current value is "${actual}"`;
  return undefined;
}

/** Helm takes over an existing object only when it carries this release's ownership marks. */
function ownershipError(current: KubeObject, release: { name: string; namespace: string }, action: string) {
  const problems = [
    requireValue("label", current.metadata.labels, MANAGED_BY, "Helm"),
    requireValue("annotation", current.metadata.annotations, RELEASE_NAME, release.name),
    requireValue("annotation", current.metadata.annotations, RELEASE_NAMESPACE, release.namespace),
  ].filter((p) => p !== undefined);
  if (problems.length === 0) return undefined;
  const where = current.metadata.namespace ? ` in namespace "${current.metadata.namespace}"` : "";
  return new ApiError(
    409,
    "conflict",
    `Unable to continue with ${action}: ${current.kind} "${current.metadata.name}"${where} exists and cannot be imported into the current release: invalid ownership metadata; ${problems.join("; ")}`,
  );
}

/** Helm's field manager, as its client names itself to kube-apiserver. */
export const HELM = { manager: "helm" };

const identity = (o: KubeObject) =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/**
 * Brings a release's objects to the cluster through the object write path, as the Kubernetes API writes them
 * (defaulting, validation, managedFields for `helm`, no new content in a terminating namespace), marked as
 * Helm marks them; an existing object without this release's marks is refused, as Helm refuses it. Objects of the previous revision that are gone from this one are deleted. What it
 * creates goes into `created` as it goes, so that a failure half-way can be undone.
 */
export async function applyObjects(
  deps: ApiDeps,
  clusterId: string,
  release: { name: string; namespace: string },
  objects: KubeObject[],
  previous: KubeObject[],
  options: { action: string; created?: KubeObject[] },
): Promise<void> {
  const created = options.created ?? [];
  for (const raw of objects) {
    const { type, key } = locate(clusterId, release.namespace, raw);
    const obj: KubeObject = {
      ...raw,
      metadata: {
        ...raw.metadata,
        ...(type.namespaced ? { namespace: key.namespace } : {}),
        labels: { ...raw.metadata.labels, [MANAGED_BY]: "Helm" },
        annotations: {
          ...raw.metadata.annotations,
          [RELEASE_NAME]: release.name,
          [RELEASE_NAMESPACE]: release.namespace,
        },
      },
    };
    const updated = await deps.writer.mutate(
      type,
      key,
      (current) => {
        const foreign = ownershipError(current, release, options.action);
        if (foreign) throw foreign;
        return { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } };
      },
      HELM,
    );
    if (!updated) created.push(await deps.writer.create(type, key, obj, HELM));
  }
  const kept = new Set(objects.map(identity));
  for (const old of previous.filter((o) => !kept.has(identity(o))))
    await deleteObject(deps, clusterId, release.namespace, old);
}

/** Deletes one object of a release, if it is still there (background cascading, as `helm uninstall`). */
export async function deleteObject(
  deps: ApiDeps,
  clusterId: string,
  namespace: string,
  obj: KubeObject,
): Promise<void> {
  const { type, key } = locate(clusterId, namespace, obj);
  const current = await deps.store.get(key);
  if (current) await deps.writer.delete(type, key, { propagationPolicy: "Background" }, current);
}
