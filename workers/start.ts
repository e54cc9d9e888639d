import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import postgres from "postgres";
import { agentTicketKey } from "../core/agent-protocol";
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
import { NodeAgent } from "./node-agent/agent";
import { DockerRuntime, dockerFromHost } from "./node-agent/docker-runtime";
import { DockerHelpers } from "./node-agent/helpers";
import { MetricsSampler } from "./node-agent/metrics";
import { NodeNetwork } from "./node-agent/network";
import { runReconciler } from "./shell";

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
 * `nodeAgent` is set, the agent of the Docker host in `config.dockerHost`. A resync loop re-triggers
 * whatever is not converged, so a trigger lost with Redis or a killed worker only delays convergence.
 */
export async function startWorkers(config: Config, options: { nodeAgent: boolean }): Promise<RunningWorkers> {
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
  if (options.nodeAgent) {
    const docker = dockerFromHost(config.dockerHost, config.dockerCertPath);
    const runtime = new DockerRuntime(docker, config.nodeName);
    agent = new NodeAgent({
      node: {
        name: config.nodeName,
        address: config.nodeAddress,
        dockerHost: config.dockerHost,
        labels: config.nodeLabels,
        taints: config.nodeTaints,
        ...(config.nodeMaxPods ? { maxPods: config.nodeMaxPods } : {}),
      },
      server: {
        host: config.agentHost,
        port: config.agentPort,
        ...(config.agentUrl ? { url: config.agentUrl } : {}),
        ticketKey: agentTicketKey(config.tokenSecret),
      },
      pods: {
        containerDefaults: config.containerDefaults,
        maxMemoryEmptyDirBytes: config.maxMemoryEmptyDirBytes,
      },
      periods: { resyncMs: config.resyncSeconds * 1000, metricsMs: config.metricsSeconds * 1000 },
      host: {
        docker,
        runtime,
        network: new NodeNetwork({
          store,
          networks,
          runtime,
          helpers: new DockerHelpers(docker, config.nodeName),
          clusters,
          ingress: config.ingress,
          logger,
          nodeName: config.nodeName,
        }),
        metrics: new MetricsSampler(runtime, new MetricsRepository(db), config.nodeName),
      },
      platform: { store, nodes, clusters, networks, triggers, connection },
      logger,
    });
    await agent.start();
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
      await agent?.stop();
      await Promise.all(workers.map((w) => w.close()));
      await triggers.close();
      connection.disconnect();
      await db.$client.end();
    },
  };
}
