import type { ResourceType } from "../../core/k8s/resources";
import type { KubeObject } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/objects";
import { loadServedTypes } from "../../db/custom-types";
import type { ObjectStore } from "../../db/store";
import type { Controller } from "../controller";
import { deletePodGracefully } from "../pod-deletion";
import type { Result } from "../shell";

const RECHECK_MS = 1000;

/**
 * Empties a Terminating namespace: pods on nodes are deleted gracefully (their node agent finishes the
 * job), everything else at once; the namespace object goes when nothing is left in it.
 */
export class NamespaceController {
  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const nsKey = {
      clusterId: ref.clusterId,
      group: "",
      resource: "namespaces",
      namespace: "",
      name: ref.name,
    };
    const ns = await this.store.get(nsKey);
    if (!ns?.metadata.deletionTimestamp) return {};
    let remaining = 0;
    const served = await loadServedTypes(this.store, ref.clusterId);
    for (const type of onePerResource(served.all.filter((t) => t.namespaced && !t.virtual))) {
      const { items } = await this.store.list({
        clusterId: ref.clusterId,
        group: type.group,
        resource: type.resource,
        namespace: ref.name,
      });
      for (const obj of items) {
        remaining++;
        await this.remove(ref.clusterId, type.group, type.resource, ref.name, obj);
      }
    }
    if (remaining > 0) return { requeueAfterMs: RECHECK_MS };
    await this.store.delete(nsKey, { uid: ns.metadata.uid ?? "" }).catch(() => undefined);
    return {};
  }

  private async remove(
    clusterId: string,
    group: string,
    resource: string,
    namespace: string,
    obj: KubeObject,
  ) {
    const key = { clusterId, group, resource, namespace, name: obj.metadata.name ?? "" };
    if (resource === "pods" && group === "") await deletePodGracefully(this.store, key, obj, this.now());
    else await this.store.delete(key).catch(() => undefined);
  }
}

/** One type per stored group and resource: a resource served in several versions is stored once. */
function onePerResource(types: ResourceType[]): ResourceType[] {
  const seen = new Map<string, ResourceType>();
  for (const t of types) if (!seen.has(`${t.group}/${t.resource}`)) seen.set(`${t.group}/${t.resource}`, t);
  return [...seen.values()];
}

/** Empties a namespace marked for deletion, then removes it. */
export const namespaceController: Controller = {
  queue: "namespace",
  watches: [
    {
      group: "",
      resource: "namespaces",
      when: (c) => c.type !== "DELETED" && Boolean(c.object.metadata.deletionTimestamp),
    },
  ],
  resync: {
    every: "period",
    keys: async ({ store }) =>
      (await store.terminatingNamespaces()).map((ns) => ({
        clusterId: ns.clusterId,
        namespace: "",
        name: ns.name,
      })),
  },
  start: ({ store }) => {
    const controller = new NamespaceController(store);
    return (ref) => controller.reconcile(ref);
  },
};
