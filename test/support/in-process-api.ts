import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createApp } from "../../api/app";
import type { ApiDeps } from "../../api/env";
import { Activity } from "../../api/kube/activity";
import { WatchHub } from "../../api/kube/watch-hub";
import { loadConfig } from "../../core/config";
import { connect } from "../../db/client";
import { ClusterRepository } from "../../db/clusters";
import { MetricsRepository } from "../../db/metrics";
import { ClusterNetworks } from "../../db/networks";
import { NodeRepository } from "../../db/nodes";
import { storeHooks } from "../../db/service-allocations";
import { ObjectStore } from "../../db/store";
import { TenantRepository } from "../../db/tenants";
import { createTestDatabase, requireEnv } from "./database";

/** A PEM the kubeconfigs carry; nothing here serves TLS. */
export const TEST_CA = "-----BEGIN CERTIFICATE-----\nin-process test CA\n-----END CERTIFICATE-----\n";

export interface InProcessApi {
  app: ReturnType<typeof createApp>;
  deps: ApiDeps;
  adminToken: string;
  /** Calls the app in this process (`app.request`: no socket) with that bearer token, or none. */
  as(
    token: string | undefined,
  ): (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;
  close(): Promise<void>;
}

/**
 * The API's Hono app on a database of its own, wired as api/server.ts wires it, without a listening socket,
 * watch listener, activity flusher or workers: requests go through `app.request()`.
 */
export async function startInProcessApi(): Promise<InProcessApi> {
  const suffix = randomBytes(4).toString("hex");
  const database = await createTestDatabase(suffix);
  const adminToken = randomBytes(24).toString("hex");
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_URL: requireEnv("REDIS_URL"),
    TIMONIER_ADMIN_TOKEN: adminToken,
  });
  const db = connect(config.databaseUrl, { max: 5 });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const networks = new ClusterNetworks(db, config.clusterNetworks);
  const store = new ObjectStore(
    db,
    storeHooks(networks, {
      loadBalancerPool: config.loadBalancerPool,
      serviceLimits: config.serviceLimits,
      budget: { budget: config.budget, containers: config.containerDefaults },
    }),
  );
  const deps: ApiDeps = {
    config: {
      publicUrl: config.publicUrl,
      kubeUrl: config.kubeUrl,
      adminToken,
      tokenSecret: config.tokenSecret,
      metricsSeconds: config.metricsSeconds,
      chartRender: config.chartRender,
      rateLimit: config.rateLimit,
      budget: config.budget,
      containerDefaults: config.containerDefaults,
      certificateAuthority: TEST_CA,
    },
    db,
    redis,
    store,
    clusters: new ClusterRepository(db, networks),
    tenants: new TenantRepository(db),
    nodes: new NodeRepository(db),
    metrics: new MetricsRepository(db),
    // never started: watches are the HTTP suites' business
    watchHub: new WatchHub(store, db.$client),
    activity: new Activity(db),
    now: () => new Date(),
  };
  const app = createApp(deps);
  return {
    app,
    deps,
    adminToken,
    as:
      (token) =>
      async (method, path, body, headers = {}) =>
        app.request(path, {
          method,
          headers: {
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
            "content-type": "application/json",
            ...headers,
          },
          ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
        }),
    async close() {
      redis.disconnect();
      await db.$client.end();
      await database.drop();
    },
  };
}
