import { KubeError } from "../../core/k8s/errors";
import type { ObjectRef } from "../../core/objects";
import { isNamespaceTerminating } from "../../db/object-writer/prepare";
import type { ObjectStore } from "../../db/store";
import { type Controller, everyObject } from "../controller";
import type { Result } from "../shell";
import { controllerWrites } from "./writes";

/** Gives every namespace its `default` ServiceAccount, as kube-controller-manager does. */
export class ServiceAccountController {
  constructor(private readonly store: ObjectStore) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const ns = await this.store.get({
      clusterId: ref.clusterId,
      group: "",
      resource: "namespaces",
      namespace: "",
      name: ref.name,
    });
    if (!ns || ns.metadata.deletionTimestamp) return {};
    const key = {
      clusterId: ref.clusterId,
      group: "",
      resource: "serviceaccounts",
      namespace: ref.name,
      name: "default",
    };
    if (await this.store.get(key)) return {};
    try {
      await controllerWrites(this.store).create(key, {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "default", namespace: ref.name },
      });
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 409) && !isNamespaceTerminating(err)) throw err;
    }
    return {};
  }
}

/** Gives every new namespace its `default` ServiceAccount. */
export const serviceAccountController: Controller = {
  queue: "serviceaccount",
  watches: [{ group: "", resource: "namespaces", when: (c) => c.type === "ADDED" }],
  resync: everyObject("", "namespaces", "slow"),
  start: ({ store }) => {
    const controller = new ServiceAccountController(store);
    return (ref) => controller.reconcile(ref);
  },
};
