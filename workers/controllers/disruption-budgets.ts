import { budgetStatus, type PodDisruptionBudget } from "../../core/k8s/disruption/budget";
import { rfc3339 } from "../../core/k8s/time";
import type { Pod } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/objects";
import type { ObjectStore } from "../../db/store";
import { type Controller, itsNamespace } from "../controller";
import type { Result } from "../shell";
import { writeStatus } from "./write-status";

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
    // a status that did not change keeps its transition times, so an unchanged budget is not written
    for (const budget of items as PodDisruptionBudget[])
      await writeStatus(
        this.store,
        { ...scope, group: "policy", resource: "poddisruptionbudgets", name: budget.metadata.name ?? "" },
        budget.metadata.uid ?? "",
        budgetStatus(budget, pods, now),
      ).catch(() => undefined);
    return {};
  }
}

/** Recomputes a namespace's PodDisruptionBudgets when a pod or a budget changes. */
export const disruptionController: Controller = {
  queue: "disruption",
  watches: [
    { group: "", resource: "pods", map: itsNamespace },
    { group: "policy", resource: "poddisruptionbudgets", map: itsNamespace },
  ],
  start: ({ store }) => {
    const controller = new DisruptionBudgetController(store);
    return (ref) => controller.reconcile(ref);
  },
};
