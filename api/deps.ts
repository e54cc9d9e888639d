import type { Redis } from "ioredis";
import type postgres from "postgres";
import type { Config } from "../core/config";
import type { Database } from "../db/client";
import { ClusterRepository } from "../db/clusters";
import { ServedTypesCache } from "../db/custom-types";
import { MetricsRepository } from "../db/metrics";
import { ClusterNetworks } from "../db/networks";
import { NodeRepository } from "../db/nodes";
import { ObjectWriter } from "../db/object-writer/writer";
import { platformStore } from "../db/service-allocations";
import { TenantRepository } from "../db/tenants";
import type { ApiDeps } from "./env";
import { Activity } from "./kube/activity";
import { WatchHub } from "./kube/watch-hub";

/**
 * What the API's handlers are given, wired as every replica wires them. Nothing is started here: the
 * server starts the watch hub and the activity flusher, in-process tests leave them idle.
 */
export function apiDeps(
  config: Config,
  io: { db: Database; redis: Redis; listener: postgres.Sql; certificateAuthority: string },
): ApiDeps {
  const { db } = io;
  const networks = new ClusterNetworks(db, config.clusterNetworks);
  const store = platformStore(db, networks, config);
  const clusters = new ClusterRepository(db, networks);
  return {
    config: {
      publicUrl: config.publicUrl,
      kubeUrl: config.kubeUrl,
      adminToken: config.adminToken,
      tokenSecret: config.tokenSecret,
      metricsSeconds: config.metricsSeconds,
      chartRender: config.chartRender,
      rateLimit: config.rateLimit,
      budget: config.budget,
      containerDefaults: config.containerDefaults,
      simulatedNodes: config.simulatedNodes,
      certificateAuthority: io.certificateAuthority,
    },
    db,
    redis: io.redis,
    store,
    writer: new ObjectWriter({ store }),
    clusters,
    tenants: new TenantRepository(db),
    nodes: new NodeRepository(db),
    metrics: new MetricsRepository(db),
    watchHub: new WatchHub(store, io.listener),
    servedTypes: new ServedTypesCache(store),
    activity: new Activity(db, (id) => clusters.wake(id)),
    now: () => new Date(),
  };
}
