import {
  CRD_CLEANUP_FINALIZER,
  CRD_GROUP,
  CRD_RESOURCE,
  type CrdCondition,
  type CustomResourceDefinition,
} from "../../core/k8s/crd/types";
import { KubeError } from "../../core/k8s/errors";
import { rfc3339 } from "../../core/k8s/time";
import type { ObjectRef } from "../../core/objects";
import type { ObjectStore } from "../../db/store";
import type { Controller } from "../controller";
import type { Result } from "../shell";

const RECHECK_MS = 1000;

const ignoreGone = (err: unknown) => {
  if (!(err instanceof KubeError && (err.code === 404 || err.code === 409))) throw err;
};

/**
 * A CustomResourceDefinition being deleted takes its objects along, as apiextensions-apiserver's finalizer
 * does: the CRD says Terminating, each object is deleted (those with finalizers are marked and wait for
 * them), and the CRD's finalizer goes when none is left, which lets the store remove it.
 */
export class CrdCleanup {
  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const key = {
      clusterId: ref.clusterId,
      group: CRD_GROUP,
      resource: CRD_RESOURCE,
      namespace: "",
      name: ref.name,
    };
    const crd = (await this.store.get(key)) as CustomResourceDefinition | undefined;
    if (!crd?.metadata.deletionTimestamp || !crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER))
      return {};
    await this.markTerminating(key, crd);
    const { items } = await this.store.list({
      clusterId: ref.clusterId,
      group: crd.spec.group,
      resource: crd.spec.names.plural,
    });
    for (const obj of items) {
      const objKey = {
        clusterId: ref.clusterId,
        group: crd.spec.group,
        resource: crd.spec.names.plural,
        namespace: obj.metadata.namespace ?? "",
        name: obj.metadata.name ?? "",
      };
      const uid = obj.metadata.uid ?? "";
      if (!obj.metadata.finalizers?.length) await this.store.delete(objKey, { uid }).catch(ignoreGone);
      else if (!obj.metadata.deletionTimestamp)
        await this.store.mutate(objKey, (o) => {
          if (o.metadata.uid !== uid || o.metadata.deletionTimestamp) return undefined;
          o.metadata.deletionTimestamp = rfc3339(this.now());
          o.metadata.deletionGracePeriodSeconds = 0;
          return o;
        });
    }
    if (items.length > 0) return { requeueAfterMs: RECHECK_MS };
    await this.store.mutate(key, (o) => {
      if (o.metadata.uid !== crd.metadata.uid) return undefined;
      o.metadata.finalizers = o.metadata.finalizers?.filter((f) => f !== CRD_CLEANUP_FINALIZER);
      if (!o.metadata.finalizers?.length) delete o.metadata.finalizers;
      return o;
    });
    return {};
  }

  private async markTerminating(key: Parameters<ObjectStore["mutate"]>[0], crd: CustomResourceDefinition) {
    if (crd.status?.conditions?.some((c) => c.type === "Terminating")) return;
    const terminating: CrdCondition = {
      type: "Terminating",
      status: "True",
      lastTransitionTime: rfc3339(this.now()),
      reason: "InstanceDeletionInProgress",
      message: "CustomResource deletion is in progress",
    };
    await this.store.mutate(key, (o) => {
      const status = (o.status ?? {}) as NonNullable<CustomResourceDefinition["status"]>;
      o.status = { ...status, conditions: [...(status.conditions ?? []), terminating] };
      return o;
    });
  }
}

/** Deletes the objects of CustomResourceDefinitions being deleted, then lets the CRDs go. */
export const crdCleanupController: Controller = {
  queue: "crd-cleanup",
  watches: [
    {
      group: CRD_GROUP,
      resource: CRD_RESOURCE,
      when: (c) => c.type !== "DELETED" && Boolean(c.object.metadata.deletionTimestamp),
    },
  ],
  resync: {
    every: "slow",
    keys: async ({ store }) =>
      (await store.everywhere(CRD_GROUP, CRD_RESOURCE))
        .filter(({ object }) => object.metadata.deletionTimestamp)
        .map(({ clusterId, object }) => ({ clusterId, namespace: "", name: object.metadata.name ?? "" })),
  },
  start: ({ store }) => {
    const cleanup = new CrdCleanup(store);
    return (ref) => cleanup.reconcile(ref);
  },
};
