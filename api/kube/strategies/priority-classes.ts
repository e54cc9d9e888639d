import { kubeErrors } from "../../../core/k8s/errors";
import { isSystemPriorityClass, type PriorityClass } from "../../../core/k8s/scheduling/priority";
import { genericStrategy } from "./generic";
import type { Strategy } from "./strategy";

/**
 * PriorityClasses: validated like kube-apiserver (value and preemptionPolicy immutable, `system-` names
 * reserved); the built-in classes cannot be deleted. Only one globalDefault is checked in the store's write
 * hook, inside the transaction (db/priority-admission.ts).
 */
export const priorityClassStrategy: Strategy = {
  ...genericStrategy,
  create(obj, ctx) {
    const pc = genericStrategy.create(obj, ctx) as PriorityClass;
    pc.preemptionPolicy ??= "PreemptLowerPriority";
    return pc;
  },
  async delete(deps, key, current, options) {
    if (isSystemPriorityClass(key.name))
      throw kubeErrors.forbidden(
        `priorityclasses.scheduling.k8s.io "${key.name}" is forbidden: this is a system priority class and cannot be deleted`,
      );
    return genericStrategy.delete(deps, key, current, options);
  },
};
