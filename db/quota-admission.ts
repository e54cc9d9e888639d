import { kubeErrors } from "../core/k8s/errors";
import { qosClass } from "../core/k8s/pods";
import { applyLimitDefaults, type LimitRange, limitRangeViolations } from "../core/k8s/quota/limit-range";
import { addUsage, objectUsage, quotaRefusal, type ResourceQuota } from "../core/k8s/quota/usage";
import type { Pod } from "../core/k8s/types";
import type { ObjectKey } from "../core/objects";
import { objectsOf, type Tx, type WriteHook } from "./store";

const namespaced = (tx: Tx, key: ObjectKey, group: string, resource: string) =>
  objectsOf(tx, { clusterId: key.clusterId, group, resource, namespace: key.namespace });

/** kube-apiserver's 403 for a write an admission refuses: `<resource> "<name>" is forbidden: <why>`. */
export const forbiddenWrite = (key: ObjectKey, message: string) =>
  kubeErrors.forbidden(
    `${key.resource}${key.group ? `.${key.group}` : ""} "${key.name}" is forbidden: ${message}`,
  );

/** LimitRanger for every new pod: the namespace's defaults filled in, then its min and max enforced. */
export const limitRangeAdmission: WriteHook = {
  async beforeWrite(tx, key, next, current) {
    if (current) return;
    const ranges = (await namespaced(tx, key, "", "limitranges")) as LimitRange[];
    if (!ranges.length) return;
    const pod = next as Pod;
    applyLimitDefaults(pod, ranges);
    const violations = limitRangeViolations(pod, ranges);
    if (violations.length)
      throw forbiddenWrite(
        key,
        violations.length === 1 ? (violations[0] as string) : `[${violations.join(", ")}]`,
      );
    if (pod.status) pod.status.qosClass = qosClass(pod);
  },
  async afterDelete() {},
};

/**
 * ResourceQuota admission for every new namespaced object, in its creating transaction. Every write holds
 * its cluster's row lock until it commits (db/store.ts), so creates are counted one after the other and none
 * slips past a limit; locking the quotas here as well would invert that order against their updates.
 */
export const quotaAdmission: WriteHook = {
  async beforeWrite(tx, key, next, current) {
    if (current || !key.namespace || key.resource === "events") return;
    const quotas = (await namespaced(tx, key, "", "resourcequotas")) as ResourceQuota[];
    if (!quotas.length) return;
    const requested = objectUsage(key.group, key.resource, next);
    const relevant = quotas.filter((q) =>
      Object.keys(q.spec.hard ?? {}).some((r) => (requested[r] ?? 0) > 0),
    );
    if (!relevant.length) return;
    const used = (await namespaced(tx, key, key.group, key.resource))
      .map((o) => objectUsage(key.group, key.resource, o))
      .reduce(addUsage, {});
    for (const quota of relevant) {
      const refusal = quotaRefusal(quota, used, requested, next);
      if (refusal) throw forbiddenWrite(key, refusal);
    }
  },
  async afterDelete() {},
};
