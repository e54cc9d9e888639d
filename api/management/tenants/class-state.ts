import { passes, resolveResource, seenValue } from "../../../core/checks";
import { addUsage, formatBudget, podBudgetUsage } from "../../../core/k8s/budget";
import { type PodTrouble, podPhases, podTrouble } from "../../../core/k8s/pod-trouble";
import type { Pod } from "../../../core/k8s/types";
import { storageOf } from "../../../core/k8s/views";
import { effectiveBudget } from "../../../core/tenants";
import type { TenantWithCount } from "../../../db/tenants";
import type { ApiDeps } from "../../env";
import { served as servedObject } from "../../kube/served";

type Budget = ReturnType<typeof formatBudget>;

/** One student's cluster at a glance, as `GET /v1/tenants/{name}/overview` answers it. */
export interface StudentOverview {
  student: string;
  clusterId: string;
  phase: string;
  lastActivity: string | null;
  pods: Record<string, number>;
  failing: PodTrouble[];
  budget: Budget;
  usage: Budget;
}

export interface ClassOverview {
  tenant: string;
  students: StudentOverview[];
}

/** Each student's checks, as `GET /v1/tenants/{name}/checks` answers them. */
export interface ClassCheckResults {
  checks: TenantWithCount["checks"];
  students: { student: string; results: { check: string; pass: boolean; seen: string | null }[] }[];
}

/** Per student: the cluster's phase, last activity, pods by phase, what fails and why, budget and use. */
export async function classOverview(deps: ApiDeps, tenant: TenantWithCount): Promise<ClassOverview> {
  const rows = await deps.clusters.list({ tenantId: tenant.id });
  const pods = new Map<string, Pod[]>();
  for (const { clusterId, object } of await deps.store.podsOf(rows.map((r) => r.id)))
    pods.set(clusterId, [...(pods.get(clusterId) ?? []), object as Pod]);
  const students = rows.map((row) => {
    const mine = pods.get(row.id) ?? [];
    const usage = mine
      .map((p) => podBudgetUsage(p, deps.config.containerDefaults))
      .reduce(addUsage, { memoryBytes: 0, cpuMillis: 0, pods: 0 });
    return {
      student: row.name,
      clusterId: row.id,
      phase: row.phase,
      lastActivity: row.lastActiveAt?.toISOString() ?? null,
      pods: podPhases(mine),
      failing: mine.flatMap((p) => podTrouble(p) ?? []),
      budget: formatBudget(effectiveBudget(deps.config.budget, tenant.budget, row.budget)),
      usage: formatBudget({ ...usage, storageBytes: row.storedBytes }),
    };
  });
  return { tenant: tenant.name, students };
}

/** Each student's checks, evaluated against the live objects of their cluster. */
export async function classCheckResults(deps: ApiDeps, tenant: TenantWithCount): Promise<ClassCheckResults> {
  const rows = await deps.clusters.list({ tenantId: tenant.id });
  const students = [];
  for (const row of rows) {
    const results = [];
    for (const check of tenant.checks) {
      const [kind = "", name = ""] = check.resource.split("/");
      const type = resolveResource(kind);
      const object = type
        ? await deps.store.get({
            clusterId: row.id,
            ...storageOf(type),
            namespace: type.namespaced ? (check.namespace ?? "default") : "",
            name,
          })
        : undefined;
      const served = object && type ? servedObject(type, object) : undefined;
      const seen = seenValue(served, check.jsonPath);
      results.push({ check: check.name, pass: passes(check, seen), seen: seen ?? null });
    }
    students.push({ student: row.name, results });
  }
  return { checks: tenant.checks, students };
}
