import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Redis } from "ioredis";
import postgres from "postgres";
import type { Config } from "../core/config";
import { Triggers } from "../core/queues";
import { connect } from "../db/client";
import { ClusterRepository } from "../db/clusters";
import { NodeRepository } from "../db/nodes";
import { ObjectStore } from "../db/store";
import { createApp } from "./app";
import { WatchHub } from "./kube/watch-hub";

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Starts one API replica: stateless, so any number can serve any cluster. */
export async function startApiServer(config: Config): Promise<RunningApi> {
  const db = connect(config.databaseUrl, { max: 20 });
  const listener = postgres(config.databaseUrl, { max: 1, onnotice: () => {} });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const store = new ObjectStore(db);
  const watchHub = new WatchHub(store, listener);
  await watchHub.start();
  const triggers = new Triggers(redis, config.queuePrefix);
  const app = createApp({
    config: { publicUrl: config.publicUrl, adminToken: config.adminToken, tokenSecret: config.tokenSecret },
    db,
    redis,
    store,
    clusters: new ClusterRepository(db),
    nodes: new NodeRepository(db),
    triggers,
    watchHub,
    now: () => new Date(),
  });
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host}:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await watchHub.stop();
      await triggers.close();
      redis.disconnect();
      await listener.end();
      await db.$client.end();
    },
  };
}
