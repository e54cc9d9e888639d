import { eq } from "drizzle-orm";
import {
  addUsage,
  type BudgetUsage,
  budgetRefusal,
  type ClusterBudget,
  type ContainerDefaults,
  podBudgetUsage,
} from "../core/k8s/budget";
import type { Pod } from "../core/k8s/types";
import { effectiveBudget } from "../core/tenants";
import type { Database } from "./client";
import { forbiddenWrite } from "./quota-admission";
import { clusters, tenants } from "./schema";
import { objectsOf, type Tx, type WriteHook } from "./store";

/** The platform's defaults, which a cluster's own budget (set through the management API) overrides. */
export interface BudgetSettings {
  budget: ClusterBudget;
  containers: ContainerDefaults;
}

/**
 * The cluster's budget: its own where the management API set one, else its class's (the tenant's budget),
 * else the platform's default.
 */
export async function clusterBudget(
  tx: Tx | Database,
  clusterId: string,
  settings: BudgetSettings,
): Promise<ClusterBudget> {
  const [row] = await tx
    .select({ budget: clusters.budget, tenantBudget: tenants.budget })
    .from(clusters)
    .innerJoin(tenants, eq(tenants.id, clusters.tenantId))
    .where(eq(clusters.id, clusterId));
  return effectiveBudget(settings.budget, row?.tenantBudget, row?.budget);
}

/** What the cluster's pods use of its budget now. */
export async function budgetUsage(
  tx: Tx | Database,
  clusterId: string,
  containers: ContainerDefaults,
): Promise<BudgetUsage> {
  return (await objectsOf(tx, { clusterId, group: "", resource: "pods" }))
    .map((pod) => podBudgetUsage(pod as Pod, containers))
    .reduce(addUsage, { memoryBytes: 0, cpuMillis: 0, pods: 0 });
}

/**
 * The cluster's budget for every new pod, whoever creates it (kubectl, a controller, a chart): refused with
 * kube-apiserver's quota message past it. The student cannot see or delete anything that would lift it,
 * and every write holds its cluster's row lock until it commits (db/store.ts), so pods are counted one
 * after the other and none slips past the budget.
 */
export function budgetAdmission(settings: BudgetSettings): WriteHook {
  return {
    async beforeWrite(tx, key, next, current) {
      if (current) return;
      const requested = podBudgetUsage(next as Pod, settings.containers);
      if (requested.pods === 0) return;
      const budget = await clusterBudget(tx, key.clusterId, settings);
      const refusal = budgetRefusal(
        budget,
        await budgetUsage(tx, key.clusterId, settings.containers),
        requested,
      );
      if (refusal) throw forbiddenWrite(key, refusal);
    },
    async afterDelete() {},
  };
}
