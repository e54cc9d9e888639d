import { type Client, deleteAndWait, getOrNull } from "../client";
import { planChange } from "../plan";
import type { ResourceType } from "../resource";
import { type BlockSchema, conform } from "../schema";
import { validateDuration, validateLabel } from "../validation";
import type { ObjectValue, Value } from "../values";

interface Tenant {
  name: string;
  phase: string;
  clusterLifetime: string | null;
  idleBeforeSleep: string | null;
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
    phase: { type: "string", computed: true, description: "Active or Terminating." },
    teacher_token: {
      type: "string",
      computed: true,
      sensitive: true,
      description:
        "The teacher token made with the class (null for an imported class: the API shows it only once).",
    },
  },
};

const path = (name: Value | undefined) => `/v1/tenants/${encodeURIComponent(String(name))}`;

const stateOf = (tenant: Tenant, teacherToken: Value) =>
  conform(tenantSchema, {
    id: tenant.name,
    name: tenant.name,
    cluster_lifetime: tenant.clusterLifetime,
    idle_before_sleep: tenant.idleBeforeSleep,
    phase: tenant.phase,
    teacher_token: teacherToken,
  }) as ObjectValue;

const settings = (planned: ObjectValue) => ({
  clusterLifetime: planned.cluster_lifetime ?? null,
  idleBeforeSleep: planned.idle_before_sleep ?? null,
});

async function update(client: Client, prior: ObjectValue, planned: ObjectValue): Promise<ObjectValue> {
  const tenant = await client.request<Tenant>("PATCH", path(planned.name), settings(planned));
  return stateOf(tenant, prior.teacher_token ?? null);
}

export const tenantResource: ResourceType = {
  schema: tenantSchema,
  fields: { name: "name", clusterLifetime: "cluster_lifetime", idleBeforeSleep: "idle_before_sleep" },
  validate: (config) => [
    ...validateLabel(config, "name"),
    ...validateDuration(config, "cluster_lifetime"),
    ...validateDuration(config, "idle_before_sleep"),
  ],
  plan: (input) => planChange(tenantSchema, ["name"], input),
  async create(client, planned) {
    const { clusterLifetime, idleBeforeSleep } = settings(planned);
    const tenant = await client.request<Tenant>("POST", "/v1/tenants", {
      name: planned.name,
      ...(clusterLifetime === null ? {} : { clusterLifetime }),
      ...(idleBeforeSleep === null ? {} : { idleBeforeSleep }),
    });
    return stateOf(tenant, tenant.teacherToken ?? null);
  },
  async read(client, state) {
    const tenant = await getOrNull<Tenant>(client, path(state.id ?? state.name));
    return tenant ? stateOf(tenant, state.teacher_token ?? null) : null;
  },
  update,
  delete: (client, state) => deleteAndWait(client, path(state.name)),
  imported: (name) => conform(tenantSchema, { id: name }),
};
