import type { PriorityClass } from "../scheduling/priority";
import { genericStrategy } from "./generic";
import type { Strategy } from "./strategy";

/**
 * PriorityClasses: validated like kube-apiserver (value and preemptionPolicy immutable, `system-` names
 * reserved). Only one globalDefault is checked in the store's write hook, inside the transaction
 * (db/priority-admission.ts); the built-in classes' refusal to be deleted is the write path's.
 */
export const priorityClassStrategy: Strategy = {
  ...genericStrategy,
  create(obj, ctx) {
    const pc = genericStrategy.create(obj, ctx) as PriorityClass;
    pc.preemptionPolicy ??= "PreemptLowerPriority";
    return pc;
  },
};
