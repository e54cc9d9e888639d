import { kubeErrors } from "../core/k8s/errors";
import { type PriorityClass, resolvePriority } from "../core/k8s/scheduling/priority";
import type { Pod } from "../core/k8s/types";
import type { ObjectKey } from "../core/objects";
import { objectsOf, type Tx, type WriteHook } from "./store";

async function priorityClasses(tx: Tx, clusterId: string): Promise<PriorityClass[]> {
  return (await objectsOf(tx, {
    clusterId,
    group: "scheduling.k8s.io",
    resource: "priorityclasses",
  })) as PriorityClass[];
}

/**
 * kube-apiserver's Priority admission for every new pod, the API's and the controllers' alike: resolves
 * spec.priority (and preemptionPolicy) from the pod's class or the cluster's globalDefault, in the creating
 * transaction; an unknown class is refused with kube's 403.
 */
export const podPriorityAdmission: WriteHook = {
  async beforeWrite(tx, key, next, current) {
    if (current) return;
    const spec = (next as Pod).spec;
    const resolved = resolvePriority(spec, await priorityClasses(tx, key.clusterId));
    if ("refused" in resolved)
      throw kubeErrors.forbidden(`pods "${key.name}" is forbidden: ${resolved.refused}`);
    if (resolved.priorityClassName) spec.priorityClassName = resolved.priorityClassName;
    spec.priority = resolved.priority;
    spec.preemptionPolicy = resolved.preemptionPolicy;
  },
  async afterDelete() {},
};

/** Only one PriorityClass of a cluster may be its globalDefault, as the Priority admission plugin insists. */
export const priorityClassAdmission: WriteHook = {
  async beforeWrite(tx, key: ObjectKey, next) {
    if (!(next as PriorityClass).globalDefault) return;
    const other = (await priorityClasses(tx, key.clusterId)).find(
      (c) => c.globalDefault && c.metadata.name !== key.name,
    );
    if (other)
      throw kubeErrors.forbidden(
        `priorityclasses.scheduling.k8s.io "${key.name}" is forbidden: PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`,
      );
  },
  async afterDelete() {},
};
