import {
  addUsage,
  objectUsage,
  quotaStatus,
  type ResourceQuota,
  type Usage,
} from "../../core/k8s/quota/usage";
import type { Pod } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/objects";
import type { Change, ObjectStore } from "../../db/store";
import { type Controller, itsNamespace } from "../controller";
import type { Result } from "../shell";
import { writeStatus } from "./write-status";

/** The resource a quota name counts: `count/deployments.apps` → apps/deployments, `pods` → /pods. */
function countedResource(name: string): { group: string; resource: string } | undefined {
  const counted = /^count\/([^.]+)(?:\.(.+))?$/.exec(name);
  if (counted) return { group: counted[2] ?? "", resource: counted[1] ?? "" };
  const core = name.startsWith("services")
    ? "services"
    : name === "persistentvolumeclaims" || name === "requests.storage"
      ? "persistentvolumeclaims"
      : ["configmaps", "secrets", "replicationcontrollers", "resourcequotas"].includes(name)
        ? name
        : ["pods", "cpu", "memory"].includes(name) || /^(requests|limits)\.(cpu|memory)$/.test(name)
          ? "pods"
          : undefined;
  return core ? { group: "", resource: core } : undefined;
}

/** Keeps each ResourceQuota's status (hard and used) current for its namespace, as kube-controller-manager. */
export class ResourceQuotaController {
  constructor(private readonly store: ObjectStore) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const scope = { clusterId: ref.clusterId, namespace: ref.namespace };
    const { items } = await this.store.list({ ...scope, group: "", resource: "resourcequotas" });
    const quotas = items as ResourceQuota[];
    if (!quotas.length) return {};
    const resources = new Map<string, { group: string; resource: string }>();
    for (const q of quotas)
      for (const name of Object.keys(q.spec.hard ?? {})) {
        const counted = countedResource(name);
        if (counted) resources.set(`${counted.group}/${counted.resource}`, counted);
      }
    const used: Usage = {};
    for (const { group, resource } of resources.values()) {
      const list = await this.store.list({ ...scope, group, resource });
      for (const obj of list.items) addUsage(used, objectUsage(group, resource, obj));
    }
    for (const quota of quotas)
      await writeStatus(
        this.store,
        { ...scope, group: "", resource: "resourcequotas", name: quota.metadata.name ?? "" },
        quota.metadata.uid ?? "",
        quotaStatus(quota, used),
      ).catch(() => undefined);
    return {};
  }
}

/** Whether a write can change what a namespace uses of its quotas: objects come and go, pods finish. */
function quotaMayChange(c: Change): boolean {
  if (c.type !== "MODIFIED" || (c.group === "" && c.resource === "resourcequotas")) return true;
  const phase = (c.object as Pod).status?.phase;
  return c.group === "" && c.resource === "pods" && (phase === "Succeeded" || phase === "Failed");
}

/** Recounts a namespace's ResourceQuotas when what they count may have changed. */
export const resourceQuotaController: Controller = {
  queue: "resource-quota",
  watches: [
    {
      group: "*",
      resource: "*",
      when: (c) => c.namespace !== "" && c.resource !== "events" && quotaMayChange(c),
      map: itsNamespace,
    },
  ],
  start: ({ store }) => {
    const controller = new ResourceQuotaController(store);
    return (ref) => controller.reconcile(ref);
  },
};
