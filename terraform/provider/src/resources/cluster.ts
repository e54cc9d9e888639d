import { ApiFailure, type Client, deleteAndWait, getOrNull } from "../client";
import { planChange } from "../plan";
import type { DataSourceType, ResourceType } from "../resource";
import { type BlockSchema, conform } from "../schema";
import { timeoutOf, timeoutsBlock, validateTimeouts } from "../timeouts";
import { validateLabel, validateTimestamp } from "../validation";
import type { ObjectValue, Value } from "../values";

interface Cluster {
  id: string;
  name: string;
  tenant: string;
  phase: string;
  server: string;
  expiresAt: string | null;
  kubeconfig?: string;
}

export const clusterSchema: BlockSchema = {
  version: 0,
  description: "A student's Kubernetes cluster on Timonier.",
  attributes: {
    id: { type: "string", computed: true, description: "The cluster's id." },
    name: { type: "string", required: true, description: "The cluster's name, a DNS-1123 label." },
    tenant: {
      type: "string",
      optional: true,
      computed: true,
      description: "The class the cluster belongs to; the token's default class when unset.",
    },
    expires_at: {
      type: "string",
      optional: true,
      computed: true,
      description:
        "When the cluster is deleted with everything it ran (RFC 3339); its class's cluster_lifetime from creation when unset. The API sets it at creation only: a change replaces the cluster.",
    },
    server: { type: "string", computed: true, description: "The cluster's Kubernetes API URL." },
    phase: { type: "string", computed: true, description: "Active, Resetting or Terminating." },
    kubeconfig: {
      type: "string",
      computed: true,
      sensitive: true,
      description: "The cluster's kubeconfig YAML.",
    },
  },
  blocks: timeoutsBlock(["delete"]),
};

/** The same instant written as the configuration wrote it, else as the API does. */
const sameInstant = (given: Value | undefined, current: string | null) =>
  typeof given === "string" && current !== null && Date.parse(given) === Date.parse(current)
    ? given
    : current;

/** The cluster as a state, keeping from `from` how expires_at was written and the timeouts. */
const stateOf = (cluster: Cluster, kubeconfig: string | null, from: ObjectValue = {}) =>
  conform(clusterSchema, {
    ...cluster,
    expires_at: sameInstant(from.expires_at, cluster.expiresAt),
    kubeconfig,
    timeouts: from.timeouts,
  }) as ObjectValue;

/** The cluster as a state, null when it is gone; the kubeconfig is fetched unless already known. */
export async function readCluster(
  client: Client,
  id: string,
  from: ObjectValue = {},
): Promise<ObjectValue | null> {
  const path = `/v1/clusters/${encodeURIComponent(id)}`;
  const cluster = await getOrNull<Cluster>(client, path);
  if (!cluster) return null;
  return stateOf(
    cluster,
    typeof from.kubeconfig === "string" ? from.kubeconfig : await client.text(`${path}/kubeconfig`),
    from,
  );
}

export const clusterResource: ResourceType = {
  schema: clusterSchema,
  fields: { name: "name", tenant: "tenant", expiresAt: "expires_at" },
  validate: (config) => [
    ...validateLabel(config, "name"),
    ...validateLabel(config, "tenant"),
    ...validateTimestamp(config, "expires_at"),
    ...validateTimeouts(config),
  ],
  plan: (input) => planChange(clusterSchema, ["name", "tenant", "expires_at"], input),
  async create(client, planned) {
    const body = {
      name: planned.name,
      ...(typeof planned.tenant === "string" ? { tenant: planned.tenant } : {}),
      ...(typeof planned.expires_at === "string" ? { expiresAt: planned.expires_at } : {}),
    };
    const cluster = await client.request<Cluster>("POST", "/v1/clusters", body);
    return stateOf(
      cluster,
      cluster.kubeconfig ?? (await client.text(`/v1/clusters/${cluster.id}/kubeconfig`)),
      planned,
    );
  },
  read: (client, state) => readCluster(client, String(state.id), state),
  // name, tenant and expires_at replace the cluster, and the rest is computed: only timeouts change in place
  update: async (_client, _prior, planned) => planned,
  delete: (client, state) =>
    deleteAndWait(client, `/v1/clusters/${encodeURIComponent(String(state.id))}`, timeoutOf(state, "delete")),
  imported: (id) => conform(clusterSchema, { id }),
};

/** The data source: a cluster by id, with the resource's attributes all computed but the id. */
export const clusterDataSource: DataSourceType = {
  schema: {
    version: 0,
    description: "An existing Timonier cluster, by id.",
    attributes: Object.fromEntries(
      Object.entries(clusterSchema.attributes).map(([name, attribute]) => [
        name,
        name === "id"
          ? { type: attribute.type, required: true, description: attribute.description }
          : { ...attribute, required: false, optional: false, computed: true },
      ]),
    ),
  },
  async read(client, config) {
    const id = String(config.id);
    const cluster = await readCluster(client, id);
    if (!cluster) throw new ApiFailure(404, "not_found", `id: no cluster ${id}`);
    return conform(clusterDataSource.schema, cluster);
  },
};
