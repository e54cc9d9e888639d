import { ApiFailure, type Client, deleteAndWait, getOrNull } from "../client";
import { planChange } from "../plan";
import type { DataSourceType, ResourceType } from "../resource";
import { type BlockSchema, conform } from "../schema";
import { validateLabel } from "../validation";
import type { ObjectValue, Value } from "../values";

interface Cluster {
  id: string;
  name: string;
  tenant: string;
  phase: string;
  server: string;
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
    server: { type: "string", computed: true, description: "The cluster's Kubernetes API URL." },
    phase: { type: "string", computed: true, description: "Active, Resetting or Terminating." },
    kubeconfig: {
      type: "string",
      computed: true,
      sensitive: true,
      description: "The cluster's kubeconfig YAML.",
    },
  },
};

const stateOf = (cluster: Cluster, kubeconfig: string | null) =>
  conform(clusterSchema, { ...cluster, kubeconfig }) as ObjectValue;

/** The cluster as a state, null when it is gone; the kubeconfig is fetched unless already known. */
export async function readCluster(
  client: Client,
  id: string,
  kubeconfig?: Value,
): Promise<ObjectValue | null> {
  const path = `/v1/clusters/${encodeURIComponent(id)}`;
  const cluster = await getOrNull<Cluster>(client, path);
  if (!cluster) return null;
  return stateOf(
    cluster,
    typeof kubeconfig === "string" ? kubeconfig : await client.text(`${path}/kubeconfig`),
  );
}

export const clusterResource: ResourceType = {
  schema: clusterSchema,
  fields: { name: "name", tenant: "tenant" },
  validate: (config) => [...validateLabel(config, "name"), ...validateLabel(config, "tenant")],
  plan: (input) => planChange(clusterSchema, ["name", "tenant"], input),
  async create(client, planned) {
    const body = {
      name: planned.name,
      ...(typeof planned.tenant === "string" ? { tenant: planned.tenant } : {}),
    };
    const cluster = await client.request<Cluster>("POST", "/v1/clusters", body);
    return stateOf(
      cluster,
      cluster.kubeconfig ?? (await client.text(`/v1/clusters/${cluster.id}/kubeconfig`)),
    );
  },
  read: (client, state) => readCluster(client, String(state.id), state.kubeconfig),
  // name and tenant replace the cluster, and the rest is computed: nothing changes in place
  update: async (_client, _prior, planned) => planned,
  delete: (client, state) => deleteAndWait(client, `/v1/clusters/${encodeURIComponent(String(state.id))}`),
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
    return cluster;
  },
};
