import { type Client, createClient } from "./client";
import { type Diagnostic, error } from "./diagnostics";
import type { DataSourceType, ResourceType } from "./resource";
import { catalogDataSource } from "./resources/catalog";
import { clusterDataSource, clusterResource } from "./resources/cluster";
import { releaseResource } from "./resources/release";
import { tenantResource } from "./resources/tenant";
import { tenantDataSource } from "./resources/tenant-data";
import type { BlockSchema } from "./schema";
import type { ObjectValue, Value } from "./values";

export const providerSchema: BlockSchema = {
  version: 0,
  description: "Timonier's management API.",
  attributes: {
    endpoint: {
      type: "string",
      optional: true,
      description: "The management API's URL, e.g. https://timonier.example.org; TIMONIER_URL when unset.",
    },
    token: {
      type: "string",
      optional: true,
      sensitive: true,
      description: "An admin or teacher token; TIMONIER_TOKEN when unset.",
    },
  },
};

export const resources: Record<string, ResourceType> = {
  timonier_cluster: clusterResource,
  timonier_release: releaseResource,
  timonier_tenant: tenantResource,
};
export const dataSources: Record<string, DataSourceType> = {
  timonier_catalog: catalogDataSource,
  timonier_cluster: clusterDataSource,
  timonier_tenant: tenantDataSource,
};

/** The API client from the provider configuration, falling back on the environment. */
export function configure(
  config: ObjectValue,
  env: Record<string, string | undefined>,
): { client?: Client; diagnostics: Diagnostic[] } {
  const text = (value: Value | undefined) => (typeof value === "string" && value !== "" ? value : undefined);
  const endpoint = text(config.endpoint) ?? text(env.TIMONIER_URL);
  const token = text(config.token) ?? text(env.TIMONIER_TOKEN) ?? "";
  if (!endpoint) {
    return {
      diagnostics: [
        error(
          "Missing Timonier endpoint",
          "Set the provider's endpoint or the TIMONIER_URL environment variable.",
          "endpoint",
        ),
      ],
    };
  }
  try {
    new URL(endpoint);
  } catch {
    return { diagnostics: [error("Invalid Timonier endpoint", `"${endpoint}" is not a URL`, "endpoint")] };
  }
  return { client: createClient(endpoint, token), diagnostics: [] };
}
