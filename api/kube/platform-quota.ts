import type { Context } from "hono";
import { formatBudget, PLATFORM_BUDGET } from "../../core/k8s/budget";
import type { ResourceQuota } from "../../core/k8s/quota/usage";
import { budgetUsage, clusterBudget } from "../../db/budget-admission";
import type { AppEnv } from "../env";
import type { RequestInfo } from "./request-info";

/** Where the student finds the platform's budget: `kubectl describe quota -n kube-system timonier-platform`. */
const NAMESPACE = "kube-system";

const isQuota = (info: RequestInfo) => info.type.group === "" && info.type.resource === "resourcequotas";

/** Whether a request names the platform's quota (a read-only view of the cluster's budget). */
export function namesPlatformQuota(info: RequestInfo, name: string | undefined): boolean {
  return isQuota(info) && info.namespace === NAMESPACE && name === PLATFORM_BUDGET;
}

/** Whether a list of quotas includes the platform's (every namespace, or kube-system). */
export function listsPlatformQuota(info: RequestInfo): boolean {
  return isQuota(info) && (!info.namespace || info.namespace === NAMESPACE);
}

/**
 * The cluster's budget and its use, as a ResourceQuota the student can read but never change: it is not
 * stored in the cluster, so deleting every object they own leaves it as it is. It changes only through the
 * management API (`PATCH /v1/clusters/{id}` or the class's settings).
 */
export async function platformQuota(c: Context<AppEnv>): Promise<ResourceQuota> {
  const { deps, cluster } = c.var;
  const settings = { budget: deps.config.budget, containers: deps.config.containerDefaults };
  const [budget, used] = await Promise.all([
    clusterBudget(deps.db, cluster.id, settings),
    budgetUsage(deps.db, cluster.id, settings.containers),
  ]);
  const quantities = (b: ReturnType<typeof formatBudget>) => ({
    "limits.cpu": b.cpu,
    "limits.memory": b.memory,
    pods: b.pods,
  });
  const hard = quantities(formatBudget(budget));
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: {
      name: PLATFORM_BUDGET,
      namespace: NAMESPACE,
      uid: cluster.id,
      resourceVersion: String(cluster.resourceVersion),
      creationTimestamp: cluster.createdAt.toISOString().replace(/\.\d+Z$/, "Z"),
      labels: { "app.kubernetes.io/managed-by": "timonier" },
      annotations: {
        "timonier.io/description":
          "This cluster's budget, set by the platform: read-only here, changed through the management API",
      },
    },
    spec: { hard },
    status: { hard, used: quantities(formatBudget({ ...used, storageBytes: cluster.storedBytes })) },
  };
}
