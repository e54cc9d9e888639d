import { ApiFailure } from "../client";
import { type Diagnostic, error } from "../diagnostics";
import { planChange } from "../plan";
import type { ResourceType } from "../resource";
import { type BlockSchema, conform } from "../schema";
import type { ObjectValue } from "../values";

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

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DELETE_POLL_MS = 1000;
const DELETE_TIMEOUT_MS = 10 * 60_000;

export function validateLabel(config: ObjectValue, attribute: string): Diagnostic[] {
  const value = config[attribute];
  if (typeof value !== "string") return [];
  if (value.length <= 63 && DNS_LABEL.test(value)) return [];
  return [
    error(
      `Invalid ${attribute}`,
      `"${value}" must be a DNS-1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit`,
      attribute,
    ),
  ];
}

const stateOf = (cluster: Cluster, kubeconfig: string | null) =>
  conform(clusterSchema, { ...cluster, kubeconfig }) as ObjectValue;

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
  async read(client, state) {
    const id = String(state.id);
    try {
      const cluster = await client.request<Cluster>("GET", `/v1/clusters/${encodeURIComponent(id)}`);
      const kubeconfig =
        typeof state.kubeconfig === "string"
          ? state.kubeconfig
          : await client.text(`/v1/clusters/${id}/kubeconfig`);
      return stateOf(cluster, kubeconfig);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status === 404) return null;
      throw failure;
    }
  },
  // name and tenant replace the cluster, and the rest is computed: nothing changes in place
  update: async (_client, _prior, planned) => planned,
  async delete(client, state) {
    const path = `/v1/clusters/${encodeURIComponent(String(state.id))}`;
    const deadline = Date.now() + DELETE_TIMEOUT_MS;
    try {
      await client.request("DELETE", path);
      while (Date.now() < deadline) {
        await client.request("GET", path);
        await new Promise((resolve) => setTimeout(resolve, DELETE_POLL_MS));
      }
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status === 404) return;
      throw failure;
    }
    throw new Error(
      `cluster ${String(state.id)} still exists ${DELETE_TIMEOUT_MS / 60_000} minutes after its deletion`,
    );
  },
  imported: (id) => conform(clusterSchema, { id }),
};
