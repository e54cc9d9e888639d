import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Redis } from "ioredis";
import postgres from "postgres";
import { prepareRenderer } from "../core/charts/bounded-render";
import type { Config } from "../core/config";
import { createLogger } from "../core/telemetry";
import { ensureServingCert } from "../core/tls";
import { connect } from "../db/client";
import { createApp } from "./app";
import { apiDeps } from "./deps";
import { kubeUpgradeHandler } from "./kube/exec";
import { registerListedHostsAtStart } from "./management/nodes/register";

export interface RunningApi {
  url: string;
  /** Stops taking requests, lets those in progress finish for up to `graceMs`, then closes everything. */
  close(graceMs?: number): Promise<void>;
}

/** Starts one API replica: stateless, so any number can serve any cluster. */
export async function startApiServer(config: Config): Promise<RunningApi> {
  const db = connect(config.databaseUrl, { max: 20 });
  const listener = postgres(config.databaseUrl, { max: 1, onnotice: () => {} });
  // only /healthz asks Redis anything: writes need Postgres alone (workers/dispatcher.ts wakes reconcilers)
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const tls = await ensureServingCert(join(config.dataDir, "tls"), [
    config.host,
    new URL(config.kubeUrl).hostname,
  ]);
  const deps = apiDeps(config, { db, redis, listener, certificateAuthority: tls.cert });
  const { watchHub, activity } = deps;
  await watchHub.start();
  const unlistenCrds = await deps.servedTypes.listen(listener);
  activity.start(5000);
  prepareRenderer();
  const listedHosts = await registerListedHostsAtStart(
    deps.nodes,
    config.dockerHosts,
    createLogger("api"),
    config.resyncSeconds * 1000,
    { simulatedNodes: config.simulatedNodes },
  );
  const app = createApp(deps);
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port });
  const secure = serve({
    fetch: app.fetch,
    hostname: config.host,
    port: config.tlsPort,
    createServer: createHttpsServer,
    serverOptions: { key: tls.key, cert: tls.cert },
  });
  const onUpgrade = kubeUpgradeHandler(deps);
  for (const s of [server, secure]) s.on("upgrade", (req, socket, head) => void onUpgrade(req, socket, head));
  await Promise.all([listening(server), listening(secure)]);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host}:${port}`,
    async close(graceMs = 0) {
      listedHosts.stop();
      await Promise.all([closeServer(server, graceMs), closeServer(secure, graceMs)]);
      await watchHub.stop();
      await unlistenCrds();
      await activity.stop();
      redis.disconnect();
      await listener.end();
      await db.$client.end();
    },
  };
}

type Server = ReturnType<typeof serve>;

function listening(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  const connections = server as unknown as { closeAllConnections(): void; closeIdleConnections(): void };
  return new Promise<void>((resolve) => {
    const hard = setTimeout(() => connections.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(hard);
      resolve();
    });
    connections.closeIdleConnections();
  });
}
