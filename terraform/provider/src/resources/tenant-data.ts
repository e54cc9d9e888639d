import { ApiFailure, getOrNull } from "../client";
import type { DataSourceType } from "../resource";
import { conform } from "../schema";

interface TenantView {
  name: string;
  phase: string;
  clusters: number;
  clusterLifetime: string | null;
  idleBeforeSleep: string | null;
  budget: Record<string, string | number>;
  ceiling: Record<string, string | number>;
  charts: { name: string; namespace: string; chart: string }[];
}

const amounts = (budget: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(budget).map(([key, value]) => [key, String(value)]));

/** A class by name, as the token sees it: its settings, budget and charts. */
export const tenantDataSource: DataSourceType = {
  schema: {
    version: 0,
    description: "An existing class on Timonier, by name.",
    attributes: {
      name: { type: "string", required: true, description: "The class's name." },
      phase: { type: "string", computed: true, description: "Active or Terminating." },
      clusters: { type: "number", computed: true, description: "How many clusters the class has." },
      cluster_lifetime: { type: "string", computed: true, description: "How long a new cluster lives." },
      idle_before_sleep: {
        type: "string",
        computed: true,
        description: "How long a cluster may stay idle before it sleeps.",
      },
      budget: {
        type: ["map", "string"],
        computed: true,
        description: "Each student cluster's budget: memory, cpu, pods, storage.",
      },
      ceiling: {
        type: ["map", "string"],
        computed: true,
        description: "The most the class's teacher may set as a budget.",
      },
      charts: {
        type: ["list", ["object", { name: "string", namespace: "string", chart: "string" }]],
        computed: true,
        description:
          "The charts installed into each new cluster of the class: release name, namespace, chart.",
      },
    },
  },
  async read(client, config) {
    const name = String(config.name);
    const tenant = await getOrNull<TenantView>(client, `/v1/tenants/${encodeURIComponent(name)}`);
    if (!tenant) throw new ApiFailure(404, "not_found", `name: no class ${name}`);
    return conform(tenantDataSource.schema, {
      name: tenant.name,
      phase: tenant.phase,
      clusters: tenant.clusters,
      cluster_lifetime: tenant.clusterLifetime,
      idle_before_sleep: tenant.idleBeforeSleep,
      budget: amounts(tenant.budget),
      ceiling: amounts(tenant.ceiling),
      charts: tenant.charts.map((c) => ({ name: c.name, namespace: c.namespace, chart: c.chart })),
    });
  },
};
