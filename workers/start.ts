import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import postgres from "postgres";
import type { Config } from "../core/config";
import { type ReconcileJob, Triggers } from "../core/queues";
import { createLogger } from "../core/telemetry";
import { connect } from "../db/client";
import { ClusterRepository } from "../db/clusters";
import { DispatchCursors } from "../db/dispatch-cursors";
import { MetricsRepository } from "../db/metrics";
import { ClusterNetworks } from "../db/networks";
import { NodeRepository } from "../db/nodes";
import { platformStore } from "../db/service-allocations";
import type { ControllerDeps } from "./controller";
import { CONTROLLERS, DECLARED } from "./controllers";
import { ChangeDispatcher } from "./dispatcher";
import { EventRecorder } from "./events";
import type { NodeAgent } from "./node-agent/agent";
import { dockerFromHost } from "./node-agent/docker-runtime";
import { retireEngine } from "./node-agent/retire";
import { type AgentPlatform, identityOf, NodeSupervisor, nodeAgent } from "./node-agents";
import { runReconciler } from "./shell";
import { SwarmFormation } from "./swarm";

/**
 * Controllers resynced "slow" are resynced every SLOW_RESYNC_PERIODS periods: their objects exist in every
 * cluster and they act on changes only, so thousands of idle clusters cost no steady work.
 */
const SLOW_RESYNC_PERIODS = 30;

/** Changes older than this are compacted away; a watch from before then gets 410 Gone and relists. */
const CHANGE_RETENTION_SECONDS = 600;

export interface RunningWorkers {
  close(): Promise<void>;
}

/**
 * Starts one worker replica: the scheduler and controllers (any replica may run any job) and, when
 * `nodeAgent` is set, the agent of the Docker host in `config.dockerHost` (unless `registered`) and those
 * of the nodes registered through the management API that this replica holds (node-agents.ts). A resync loop re-triggers
 * whatever is not converged, so a trigger lost with Redis or a killed worker only delays convergence.
 */
export async function startWorkers(
  config: Config,
  options: { nodeAgent: boolean | "registered" },
): Promise<RunningWorkers> {
  const logger = createLogger("workers");
  const db = connect(config.databaseUrl, { max: 20 });
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const triggers = new Triggers(connection, config.queuePrefix);
  const networks = new ClusterNetworks(db, config.clusterNetworks);
  const store = platformStore(db, networks, config);
  const nodes = new NodeRepository(db);
  const clusters = new ClusterRepository(db, networks);
  const deps: ControllerDeps = {
    config,
    store,
    nodes,
    clusters,
    metrics: new MetricsRepository(db),
    triggers,
    events: (component) => new EventRecorder(store, component, ""),
  };
  const workers: Worker<ReconcileJob>[] = CONTROLLERS.map((controller) =>
    runReconciler({
      queue: controller.queue,
      connection,
      triggers,
      logger,
      ...(controller.concurrency ? { concurrency: controller.concurrency } : {}),
      reconcile: controller.start(deps),
    }),
  );
  const feed = postgres(config.databaseUrl, { max: 1, onnotice: () => {} });
  const dispatcher = new ChangeDispatcher({
    sql: feed,
    store,
    cursors: new DispatchCursors(db),
    sink: triggers,
    controllers: DECLARED,
    logger,
    catchUpMs: config.resyncSeconds * 1000,
  });
  await dispatcher.start();

  let agent: NodeAgent | undefined;
  let supervisor: NodeSupervisor | undefined;
  let locks: postgres.Sql | undefined;
  if (options.nodeAgent !== false) {
    const swarm = new SwarmFormation(logger);
    const platform: AgentPlatform = {
      config,
      store,
      nodes,
      clusters,
      networks,
      metrics: deps.metrics,
      triggers,
      connection,
      logger,
      swarm,
    };
    if (options.nodeAgent === true) {
      const identity = {
        name: config.nodeName,
        address: config.nodeAddress,
        dockerHost: config.dockerHost,
        labels: config.nodeLabels,
        taints: config.nodeTaints,
        ...(config.nodeMaxPods ? { maxPods: config.nodeMaxPods } : {}),
      };
      agent = nodeAgent(platform, identity, {
        certPath: config.dockerCertPath,
        port: config.agentPort,
        url: config.agentUrl,
      });
      await agent.start();
    }
    locks = postgres(config.databaseUrl, { max: 1, onnotice: () => {} });
    supervisor = new NodeSupervisor({
      nodes,
      locks,
      logger,
      swarm,
      engineOf: (row) => ({
        name: row.name,
        address: identityOf(row).address,
        docker: dockerFromHost(row.dockerHost, row.certPath ?? undefined),
      }),
      retire: (row) => retireEngine(dockerFromHost(row.dockerHost, row.certPath ?? undefined), row.name),
      agentOf: (row) =>
        nodeAgent(platform, identityOf(row), {
          certPath: row.certPath ?? undefined,
          port: 0,
          advertiseHost: config.agentAdvertiseHost,
        }),
    });
    await supervisor.start(config.resyncSeconds * 1000);
  }

  let periods = 0;
  const resync = async () => {
    const slow = periods++ % SLOW_RESYNC_PERIODS === 0;
    for (const controller of CONTROLLERS) {
      if (!controller.resync || (controller.resync.every === "slow" && !slow)) continue;
      for (const ref of await controller.resync.keys(deps)) await triggers.trigger(controller.queue, ref);
    }
  };
  let resyncing: Promise<void> = Promise.resolve();
  const resyncTimer = setInterval(() => {
    resyncing = resync().catch((e: Error) => logger.warn("resync failed", { error: e.message }));
  }, config.resyncSeconds * 1000);
  const compactTimer = setInterval(() => {
    void store.compactChanges(CHANGE_RETENTION_SECONDS).catch(() => undefined);
    void store
      .expireEvents(config.eventTtlSeconds)
      .catch((e: Error) => logger.warn("event expiry failed", { error: e.message }));
  }, config.resyncSeconds * 6_000);
  await resync();

  return {
    async close() {
      clearInterval(resyncTimer);
      await resyncing;
      clearInterval(compactTimer);
      await dispatcher.stop();
      await feed.end();
      await supervisor?.stop();
      await locks?.end();
      await agent?.stop();
      await Promise.all(workers.map((w) => w.close()));
      await triggers.close();
      connection.disconnect();
      await db.$client.end();
    },
  };
}
