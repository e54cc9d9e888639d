import { isDeepStrictEqual } from "node:util";
import { budgetStatus, type PodDisruptionBudget } from "../../core/k8s/disruption/budget";
import { rfc3339 } from "../../core/k8s/time";
import type { Pod } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/queues";
import type { ObjectStore } from "../../db/store";
import type { Result } from "../shell";

/** Keeps the status of a namespace's PodDisruptionBudgets current with its pods, as the disruption controller. */
export class DisruptionBudgetController {
  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const scope = { clusterId: ref.clusterId, namespace: ref.namespace };
    const { items } = await this.store.list({ ...scope, group: "policy", resource: "poddisruptionbudgets" });
    if (!items.length) return {};
    const pods = (await this.store.list({ ...scope, group: "", resource: "pods" })).items as Pod[];
    const now = rfc3339(this.now());
    for (const budget of items as PodDisruptionBudget[]) {
      const status = budgetStatus(budget, pods, now);
      const comparable = (s: unknown) =>
        JSON.stringify(s, (k, v) => (k === "lastTransitionTime" ? undefined : v));
      if (isDeepStrictEqual(comparable(status), comparable(budget.status))) continue;
      await this.store
        .mutate(
          { ...scope, group: "policy", resource: "poddisruptionbudgets", name: budget.metadata.name ?? "" },
          (current) => (current.metadata.uid === budget.metadata.uid ? { ...current, status } : undefined),
        )
        .catch(() => undefined);
    }
    return {};
  }
}
