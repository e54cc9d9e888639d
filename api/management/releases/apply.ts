import { KubeError } from "../../../core/k8s/errors";
import { findResourceTypeByKind } from "../../../core/k8s/resources";
import type { KubeObject } from "../../../core/k8s/types";
import type { ObjectKey } from "../../../db/store";
import type { ApiDeps } from "../../env";
import { strategyFor } from "../../kube/strategies";

/** Where a manifest's object lives in the cluster, and how its kind is written. */
function locate(clusterId: string, namespace: string, obj: KubeObject) {
  const type = findResourceTypeByKind(obj.apiVersion, obj.kind);
  if (!type || type.virtual)
    throw new Error(
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
 * Brings a release's objects to the cluster through the same strategies as the Kubernetes API (defaulting,
 * validation), annotated as Helm annotates them; objects of the previous revision that are gone from this
 * one are deleted. Returns what it created, so that a failed install can be undone.
 */
export async function applyObjects(
  deps: ApiDeps,
  clusterId: string,
  release: { name: string; namespace: string },
  objects: KubeObject[],
  previous: KubeObject[],
): Promise<KubeObject[]> {
  const created: KubeObject[] = [];
  const ctx = { now: deps.now() };
  for (const raw of objects) {
    const { type, key } = locate(clusterId, release.namespace, raw);
    const obj: KubeObject = {
      ...raw,
      metadata: {
        ...raw.metadata,
        ...(type.namespaced ? { namespace: key.namespace } : {}),
        annotations: {
          ...raw.metadata.annotations,
          "meta.helm.sh/release-name": release.name,
          "meta.helm.sh/release-namespace": release.namespace,
        },
      },
    };
    const strategy = strategyFor(type);
    // like kube-apiserver's GuaranteedUpdate: a controller's status write in between means read again
    for (let attempt = 0; ; attempt++) {
      const current = await deps.store.get(key);
      if (!current) {
        created.push(await deps.store.create(key, strategy.create(obj, { ...ctx, type })));
        break;
      }
      const next = strategy.update(
        { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } },
        current,
        { ...ctx, type },
      );
      try {
        await deps.store.update(key, next);
        break;
      } catch (err) {
        if (!(err instanceof KubeError && err.code === 409) || attempt >= 4) throw err;
      }
    }
  }
  const kept = new Set(objects.map(identity));
  for (const old of previous.filter((o) => !kept.has(identity(o))))
    await deleteObject(deps, clusterId, release.namespace, old);
  return created;
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
  if (current) await strategyFor(type).delete(deps, key, current, { propagationPolicy: "Background" });
}
