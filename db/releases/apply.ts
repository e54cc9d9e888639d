import type { ServedTypes } from "../../core/k8s/served-types";
import type { KubeObject } from "../../core/k8s/types";
import type { ObjectKey } from "../../core/objects";
import { markedForRelease, ownershipProblem } from "../../helm/ownership";
import { loadServedTypes } from "../custom-types";
import type { ObjectWriter } from "../object-writer/writer";
import type { ObjectStore } from "../store";
import { ReleaseError } from "./errors";

/** What writing a release's objects needs: the store to read them, the one write path to write them. */
export interface ReleaseWriter {
  store: ObjectStore;
  writer: ObjectWriter;
}

/** Helm's field manager, as its client names itself to kube-apiserver. */
export const HELM = { manager: "helm" };

/** Where a manifest's object lives in the cluster, and how its kind is written (the cluster's CRDs' kinds too). */
function locate(served: ServedTypes, clusterId: string, namespace: string, obj: KubeObject) {
  const type = served.byKind(obj.apiVersion, obj.kind);
  if (!type || type.virtual)
    throw new ReleaseError(
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

const identity = (o: KubeObject) =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/**
 * Brings a release's objects to the cluster through the object write path, as the Kubernetes API writes them
 * (defaulting, validation, managedFields for `helm`, no new content in a terminating namespace), marked as
 * Helm marks them; an existing object without this release's marks is refused, as Helm refuses it. Objects
 * of the previous revision that are gone from this one are deleted. What it creates goes into `created` as
 * it goes, so that a failure half-way can be undone.
 */
export async function applyObjects(
  d: ReleaseWriter,
  clusterId: string,
  release: { name: string; namespace: string },
  objects: KubeObject[],
  previous: KubeObject[],
  options: { action: string; created?: KubeObject[] },
): Promise<void> {
  const created = options.created ?? [];
  let served = await loadServedTypes(d.store, clusterId);
  for (const raw of objects) {
    const { type, key } = locate(served, clusterId, release.namespace, raw);
    const obj = markedForRelease(raw, release, type.namespaced ? key.namespace : undefined);
    const updated = await d.writer.mutate(
      type,
      key,
      (current) => {
        const foreign = ownershipProblem(current, release, options.action);
        if (foreign) throw new ReleaseError(409, "conflict", foreign);
        return { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } };
      },
      HELM,
    );
    if (!updated) created.push(await d.writer.create(type, key, obj, HELM));
    // a CRD serves its kind to the objects that follow it
    if (type.kind === "CustomResourceDefinition" && !type.custom)
      served = await loadServedTypes(d.store, clusterId);
  }
  const kept = new Set(objects.map(identity));
  for (const old of previous.filter((o) => !kept.has(identity(o))))
    await deleteObject(d, clusterId, release.namespace, old);
}

/** Deletes one object of a release, if it is still there (background cascading, as `helm uninstall`). */
export async function deleteObject(
  d: ReleaseWriter,
  clusterId: string,
  namespace: string,
  obj: KubeObject,
): Promise<void> {
  const { type, key } = locate(await loadServedTypes(d.store, clusterId), clusterId, namespace, obj);
  const current = await d.store.get(key);
  if (current) await d.writer.delete(type, key, { propagationPolicy: "Background" }, current);
}
