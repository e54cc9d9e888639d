import { type Client, deleteAndWait, getOrNull } from "../client";
import { planChange } from "../plan";
import type { ResourceType } from "../resource";
import { type BlockSchema, conform } from "../schema";
import { timeoutOf, timeoutsBlock, validateTimeouts } from "../timeouts";
import { validateBudget, validateDuration, validateLabel } from "../validation";
import { asObject, type ObjectValue, type Value } from "../values";
import {
  chartsAttribute,
  chartsBody,
  chartsState,
  planCharts,
  type TenantChartView,
  validateCharts,
} from "./tenant-charts";

interface Tenant {
  name: string;
  phase: string;
  clusterLifetime: string | null;
  idleBeforeSleep: string | null;
  budget: Record<string, string>;
  ceiling: Record<string, string>;
  charts: TenantChartView[];
  teacherToken?: string;
}

export const tenantSchema: BlockSchema = {
  version: 0,
  description: "A class on Timonier: its settings, and the teacher token made with it.",
  attributes: {
    id: { type: "string", computed: true, description: "The class's name." },
    name: { type: "string", required: true, description: "The class's name, a DNS-1123 label." },
    cluster_lifetime: {
      type: "string",
      optional: true,
      description: "How long a new cluster of the class lives, e.g. 72h; unset: no end.",
    },
    idle_before_sleep: {
      type: "string",
      optional: true,
      description: "How long a cluster may stay idle before it sleeps, e.g. 2h.",
    },
    budget: {
      type: ["map", "string"],
      optional: true,
      description:
        "Each student cluster's budget where it differs from the platform's: memory, cpu, pods, storage (e.g. memory = \"4Gi\").",
    },
    ceiling: {
      type: ["map", "string"],
      optional: true,
      description:
        "The most the class's teacher may set as a budget (admin token only): memory, cpu, pods, storage.",
    },
    charts: chartsAttribute,
    phase: { type: "string", computed: true, description: "Active or Terminating." },
    teacher_token: {
      type: "string",
      computed: true,
      sensitive: true,
      description:
        "The teacher token made with the class (null for an imported class: the API shows it only once).",
    },
  },
  blocks: timeoutsBlock(["delete"]),
};

const path = (name: Value | undefined) => `/v1/tenants/${encodeURIComponent(String(name))}`;

/** The amounts the configuration gave, as the API has them now (the others are the platform's, not managed). */
function amounts(current: Record<string, string>, given: Value | undefined): Value {
  const keys = asObject(given ?? null);
  return keys ? Object.fromEntries(Object.keys(keys).map((key) => [key, current[key] ?? null])) : null;
}

/** A budget map as the API takes it: pods a number, the rest quantities. */
function budgetBody(map: Value | undefined): Record<string, string | number> | null {
  const given = asObject(map ?? null);
  if (!given) return null;
  return Object.fromEntries(
    Object.entries(given).map(([key, value]) => [key, key === "pods" ? Number(value) : String(value)]),
  );
}

const stateOf = (tenant: Tenant, teacherToken: Value, from: ObjectValue, digests?: (string | null)[]) =>
  conform(tenantSchema, {
    id: tenant.name,
    name: tenant.name,
    cluster_lifetime: tenant.clusterLifetime,
    idle_before_sleep: tenant.idleBeforeSleep,
    budget: amounts(tenant.budget, from.budget),
    ceiling: amounts(tenant.ceiling, from.ceiling),
    charts: chartsState(tenant.charts, from.charts, digests),
    timeouts: from.timeouts,
    phase: tenant.phase,
    teacher_token: teacherToken,
  }) as ObjectValue;

const settings = (planned: ObjectValue) => ({
  clusterLifetime: planned.cluster_lifetime ?? null,
  idleBeforeSleep: planned.idle_before_sleep ?? null,
});

async function update(client: Client, prior: ObjectValue, planned: ObjectValue): Promise<ObjectValue> {
  const changed = (name: string) =>
    JSON.stringify(prior[name] ?? null) !== JSON.stringify(planned[name] ?? null);
  const charts = changed("charts") ? chartsBody(planned.charts) : undefined;
  const tenant = await client.request<Tenant>("PATCH", path(planned.name), {
    ...settings(planned),
    // only what changed: a ceiling is the admin's, and a teacher's token may manage the rest
    ...(changed("ceiling") ? { ceiling: budgetBody(planned.ceiling) } : {}),
    ...(changed("budget") ? { budget: budgetBody(planned.budget) } : {}),
    ...(charts ? { charts: charts.body } : {}),
  });
  return stateOf(tenant, prior.teacher_token ?? null, planned, charts?.digests);
}

export const tenantResource: ResourceType = {
  schema: tenantSchema,
  fields: {
    name: "name",
    clusterLifetime: "cluster_lifetime",
    idleBeforeSleep: "idle_before_sleep",
    budget: "budget",
    ceiling: "ceiling",
    charts: "charts",
  },
  validate: (config) => [
    ...validateLabel(config, "name"),
    ...validateDuration(config, "cluster_lifetime"),
    ...validateDuration(config, "idle_before_sleep"),
    ...validateBudget(config, "budget"),
    ...validateBudget(config, "ceiling"),
    ...validateCharts(config),
    ...validateTimeouts(config),
  ],
  plan(input) {
    const proposed = asObject(input.proposed);
    if (!Array.isArray(proposed?.charts)) return planChange(tenantSchema, ["name"], input);
    return planChange(tenantSchema, ["name"], {
      ...input,
      proposed: { ...proposed, charts: planCharts(proposed.charts) },
    });
  },
  async create(client, planned) {
    const { clusterLifetime, idleBeforeSleep } = settings(planned);
    const charts = chartsBody(planned.charts);
    const tenant = await client.request<Tenant>("POST", "/v1/tenants", {
      name: planned.name,
      ...(clusterLifetime === null ? {} : { clusterLifetime }),
      ...(idleBeforeSleep === null ? {} : { idleBeforeSleep }),
      ...(budgetBody(planned.budget) ? { budget: budgetBody(planned.budget) } : {}),
      ...(budgetBody(planned.ceiling) ? { ceiling: budgetBody(planned.ceiling) } : {}),
      ...(charts.body.length ? { charts: charts.body } : {}),
    });
    return stateOf(tenant, tenant.teacherToken ?? null, planned, charts.digests);
  },
  async read(client, state) {
    const tenant = await getOrNull<Tenant>(client, path(state.id ?? state.name));
    return tenant ? stateOf(tenant, state.teacher_token ?? null, state) : null;
  },
  update,
  delete: (client, state) => deleteAndWait(client, path(state.name), timeoutOf(state, "delete")),
  imported: (name) => conform(tenantSchema, { id: name }),
};
