import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { type RunningApi, startApiServer } from "../../api/server";
import { type Config, loadConfig } from "../../core/config";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { LABEL } from "../../workers/node-agent/runtime";
import { isSimulatedHost, SIMULATED_SCHEME } from "../../workers/node-agent/simulated/host";
import { type RunningWorkers, startWorkers } from "../../workers/start";
import { createTestDatabase, requireEnv } from "./database";

export interface TestPlatform {
  url: string;
  kubeUrl: string;
  adminToken: string;
  nodeName: string;
  /** Where this platform's node gateway serves Ingress. */
  ingressPort: number;
  ingressTlsPort: number;
  workDir: string;
  /** Calls the management API as the admin. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** Calls the management API with another token (a teacher's, a student's). */
  as(
    token: string,
  ): (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;
  /** Creates a cluster and writes its kubeconfig; returns the id and the kubeconfig path. */
  createCluster(name: string): Promise<{ id: string; kubeconfig: string; token: string }>;
  /** Another API replica on the same database and Redis (any replica serves any cluster), its settings changed by `overrides`. */
  startExtraApi(overrides?: Partial<Config>): Promise<RunningApi>;
  stopWorkers(): Promise<void>;
  /** Empties this platform's queues, as a Redis restart without persistence would. */
  dropQueuedTriggers(): Promise<void>;
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A port nothing listens on, below the kernel's ephemeral range (32768+) and the NodePort range (30000+):
 * a port handed out from the ephemeral range can meanwhile become the source port of some outgoing
 * connection, and the gateway, which listens only once an Ingress needs it, would then never get it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "0.0.0.0", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** The bearer token a kubeconfig carries. */
export const tokenOf = (kubeconfig: string) => /token: (\S+)/.exec(kubeconfig)?.[1] ?? "";

/**
 * A whole platform in this process against the real Postgres, Redis and Docker that `npm test` started:
 * its own database, its own queue prefix and its own node name, so suites running side by side never
 * see each other's pods. `close()` removes everything it created, containers and networks included.
 */
export async function startTestPlatform(
  options: {
    /** The workers' TIMONIER_NODE_AGENT: `registered` runs the registered nodes' agents only. */
    nodeAgent?: boolean | "registered";
    resyncSeconds?: number;
    /** How often containers are sampled (and HPAs synced); 15 s as in production unless a suite needs sooner. */
    metricsSeconds?: number;
    /** Overrides the per-worker default, e.g. to test a full pool. */
    clusterNetworkPool?: string;
    /** The node's TIMONIER_NODE_LABELS and TIMONIER_NODE_TAINTS. */
    nodeLabels?: string;
    nodeTaints?: string;
    /** A Redis of the suite's own (to stop and start it), instead of the shared one. */
    redisUrl?: string;
    /** A Postgres of the suite's own (to stop and start it): the URL its databases are made from. */
    databaseUrl?: string;
    /** TIMONIER_NODE_MONITOR_GRACE_SECONDS and TIMONIER_DEFAULT_TOLERATION_SECONDS, shortened for node loss. */
    nodeMonitorGraceSeconds?: number;
    defaultTolerationSeconds?: number;
    /** The node's Docker engine (DOCKER_HOST) and address instead of the shared engine's: a lab engine. */
    dockerHost?: string;
    nodeAddress?: string;
    /** TIMONIER_DOCKER_HOSTS: Docker hosts the API registers as nodes at start. */
    dockerHosts?: unknown[];
    /** The node a simulated one, without Docker (simulated://), and simulated nodes allowed in the API. */
    simulated?: boolean;
    /** More settings (TIMONIER_*), over the ones above: rate limits, budgets for a bench. */
    env?: Record<string, string>;
  } = {},
): Promise<TestPlatform> {
  const suffix = randomBytes(4).toString("hex");
  const database = await createTestDatabase(suffix, options.databaseUrl);

  const workDir = await mkdtemp(join(tmpdir(), "timonier-test-"));
  const [port, tlsPort, ingressPort, ingressTlsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const adminToken = randomBytes(24).toString("hex");
  const nodeName = `test-node-${suffix}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_URL: options.redisUrl ?? requireEnv("REDIS_URL"),
    TIMONIER_PORT: String(port),
    TIMONIER_TLS_PORT: String(tlsPort),
    TIMONIER_DATA_DIR: workDir,
    TIMONIER_ADMIN_TOKEN: adminToken,
    TIMONIER_NODE_NAME: nodeName,
    ...(options.dockerHost ? { DOCKER_HOST: options.dockerHost } : {}),
    ...(options.simulated ? { DOCKER_HOST: SIMULATED_SCHEME, TIMONIER_SIMULATED_NODES: "true" } : {}),
    ...(options.nodeAddress ? { TIMONIER_NODE_ADDRESS: options.nodeAddress } : {}),
    ...(options.dockerHosts ? { TIMONIER_DOCKER_HOSTS: JSON.stringify(options.dockerHosts) } : {}),
    TIMONIER_NODE_LABELS: options.nodeLabels ?? "",
    TIMONIER_NODE_TAINTS: options.nodeTaints ?? "",
    TIMONIER_QUEUE_PREFIX: `test-${suffix}`,
    TIMONIER_RESYNC_SECONDS: String(options.resyncSeconds ?? 2),
    ...(options.nodeMonitorGraceSeconds
      ? { TIMONIER_NODE_MONITOR_GRACE_SECONDS: String(options.nodeMonitorGraceSeconds) }
      : {}),
    ...(options.defaultTolerationSeconds !== undefined
      ? { TIMONIER_DEFAULT_TOLERATION_SECONDS: String(options.defaultTolerationSeconds) }
      : {}),
    TIMONIER_METRICS_SECONDS: String(options.metricsSeconds ?? 15),
    // suites running side by side share one Docker host but not one database: give each vitest worker its
    // own range of cluster blocks, away from the default pool a developer's `npm start` uses
    // 512 clusters per worker, 16 workers within 10.64.0.0/10
    TIMONIER_CLUSTER_NETWORK_POOL:
      options.clusterNetworkPool ?? `10.${64 + 4 * (Number(process.env.VITEST_POOL_ID ?? 0) % 16)}.0.0/14`,
    TIMONIER_INGRESS_PORT: String(ingressPort),
    TIMONIER_INGRESS_TLS_PORT: String(ingressTlsPort),
    TIMONIER_LOADBALANCER_POOL: `127.${64 + (Number(process.env.VITEST_POOL_ID ?? 0) % 64)}.0.0/16`,
    ...options.env,
  });
  const api: RunningApi = await startApiServer(config);
  let workers: RunningWorkers | undefined = await startWorkers(config, {
    nodeAgent: options.nodeAgent ?? true,
  });

  const extras: RunningApi[] = [];
  const dropQueuedTriggers = async () => {
    const redis = new Redis(config.redisUrl);
    const keys = await redis.keys(`${config.queuePrefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  };
  const as =
    (token: string) =>
    (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${api.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
  const admin = as(adminToken);

  return {
    url: api.url,
    kubeUrl: config.kubeUrl,
    ingressPort,
    ingressTlsPort,
    adminToken,
    nodeName,
    workDir,
    admin,
    as,
    async createCluster(name) {
      const res = await admin("POST", "/v1/clusters", { name });
      if (res.status !== 201) throw new Error(`create cluster ${name}: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { id: string; kubeconfig: string };
      const path = join(workDir, `${name}.kubeconfig`);
      await writeFile(path, body.kubeconfig);
      const token = tokenOf(body.kubeconfig);
      return { id: body.id, kubeconfig: path, token };
    },
    async startExtraApi(overrides = {}) {
      const extra = await startApiServer({
        ...config,
        ...overrides,
        port: await freePort(),
        tlsPort: await freePort(),
      });
      extras.push(extra);
      return extra;
    },
    async stopWorkers() {
      await workers?.close();
      workers = undefined;
    },
    dropQueuedTriggers,
    async startWorkers() {
      workers ??= await startWorkers(config, { nodeAgent: options.nodeAgent ?? true });
    },
    async close() {
      await workers?.close();
      await Promise.all(extras.map((e) => e.close()));
      await api.close();
      await dropQueuedTriggers();
      if (!isSimulatedHost(config.dockerHost)) await removeDockerLeftovers(config.dockerHost, nodeName);
      await database.drop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** The containers, networks and volumes a platform's node left on its Docker host. */
async function removeDockerLeftovers(dockerHost: string, nodeName: string): Promise<void> {
  const docker = dockerFromHost(dockerHost);
  const leftovers = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL.node}=${nodeName}`] },
  });
  await Promise.all(
    leftovers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  const networks = await docker.listNetworks({ filters: { label: [`${LABEL.node}=${nodeName}`] } });
  await Promise.all(
    networks.map((n) =>
      docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {}),
    ),
  );
  // the node's API relay volume (pods' volumes go with their pods and clusters)
  const { Volumes } = await docker.listVolumes({ filters: { label: [`${LABEL.node}=${nodeName}`] } });
  await Promise.all(
    (Volumes ?? []).map((v) =>
      docker
        .getVolume(v.Name)
        .remove()
        .catch(() => {}),
    ),
  );
}
