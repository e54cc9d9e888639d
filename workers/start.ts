import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { agentTicketKey } from "../core/agent-protocol";
import type { Config } from "../core/config";
import { QUEUE, type ReconcileJob, Triggers } from "../core/queues";
import { createLogger } from "../core/telemetry";
import { connect } from "../db/client";
import { ClusterRepository } from "../db/clusters";
import { MetricsRepository } from "../db/metrics";
import { ClusterNetworks } from "../db/networks";
import { NodeRepository } from "../db/nodes";
import { storeHooks } from "../db/service-allocations";
import { ObjectStore } from "../db/store";
import { ClusterNetworkFanout } from "./controllers/cluster-network";
import { ClusterTeardownController } from "./controllers/cluster-teardown";
import { CronJobController } from "./controllers/cronjobs";
import { DaemonSetController } from "./controllers/daemonsets";
import { DisruptionBudgetController } from "./controllers/disruption-budgets";
import { EndpointsController } from "./controllers/endpoints";
import { GarbageCollector } from "./controllers/garbage-collector";
import { HpaController } from "./controllers/hpa";
import { IngressStatusController } from "./controllers/ingress";
import { JobController } from "./controllers/jobs";
import { NamespaceController } from "./controllers/namespace";
import { ResourceQuotaController } from "./controllers/resource-quotas";
import { ServiceAccountController } from "./controllers/serviceaccounts";
import { StatefulSetController } from "./controllers/statefulsets";
import { VolumeBindingController } from "./controllers/volume-binding";
import { DeploymentController, ReplicaSetController } from "./controllers/workloads";
import { EventRecorder } from "./events";
import { NodeAgent } from "./node-agent/agent";
import { DockerRuntime, dockerFromHost } from "./node-agent/docker-runtime";
import { DockerHelpers } from "./node-agent/helpers";
import { MetricsSampler } from "./node-agent/metrics";
import { NodeNetwork } from "./node-agent/network";
import { Scheduler } from "./scheduler/scheduler";
import { runReconciler } from "./shell";

/** Kinds whose controllers resync every object each period: their controllers also act on time passing. */
const CONTROLLED: [group: string, resource: string, queue: string][] = [
  ["apps", "replicasets", QUEUE.replicaset],
  ["apps", "deployments", QUEUE.deployment],
  ["batch", "jobs", QUEUE.job],
  ["batch", "cronjobs", QUEUE.cronjob],
  ["networking.k8s.io", "ingresses", QUEUE.ingress],
  ["autoscaling", "horizontalpodautoscalers", QUEUE.hpa],
  ["apps", "statefulsets", QUEUE.statefulset],
  ["apps", "daemonsets", QUEUE.daemonset],
];

/**
 * Kinds whose controllers act on changes only, and which every cluster has (its namespaces, the
 * `kubernetes` Service): resynced every SLOW_RESYNC_PERIODS periods, as a safety net for lost triggers,
 * so that thousands of idle clusters cost no steady work.
 */
const EVENT_DRIVEN: [group: string, resource: string, queue: string][] = [
  ["", "namespaces", QUEUE.serviceAccount],
  ["", "services", QUEUE.endpoints],
];
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
  const hooks = storeHooks(networks, {
    loadBalancerPool: config.loadBalancerPool,
    serviceLimits: config.serviceLimits,
    budget: { budget: config.budget, containers: config.containerDefaults },
  });
  const store = new ObjectStore(db, (change) => triggers.dispatch(change), hooks);
  const nodes = new NodeRepository(db);
  const clusters = new ClusterRepository(db, networks);

  const scheduler = new Scheduler({
    store,
    nodes,
    triggers,
    events: new EventRecorder(store, "default-scheduler", ""),
  });
  const namespaces = new NamespaceController(store);
  const teardown = new ClusterTeardownController(clusters, nodes, triggers);
  const replicasets = new ReplicaSetController(store, new EventRecorder(store, "replicaset-controller", ""));
  const deployments = new DeploymentController(store, new EventRecorder(store, "deployment-controller", ""));
  const collector = new GarbageCollector(store);
  const jobs = new JobController(store, new EventRecorder(store, "job-controller", ""));
  const cronJobs = new CronJobController(store, new EventRecorder(store, "cronjob-controller", ""));
  const serviceAccounts = new ServiceAccountController(store);
  const quotas = new ResourceQuotaController(store);
  const budgets = new DisruptionBudgetController(store);
  const volumeBinding = new VolumeBindingController(
    store,
    new EventRecorder(store, "persistentvolume-controller", ""),
  );
  const endpoints = new EndpointsController(store);
  const fanout = new ClusterNetworkFanout(nodes, triggers);
  const ingresses = new IngressStatusController(store, clusters, config.ingress);
  const autoscaler = new HpaController(
    store,
    new MetricsRepository(db),
    new EventRecorder(store, "horizontal-pod-autoscaler", ""),
    config.metricsSeconds * 1000,
  );
  const statefulSets = new StatefulSetController(
    store,
    new EventRecorder(store, "statefulset-controller", ""),
  );
  const daemonSets = new DaemonSetController(
    store,
    nodes,
    new EventRecorder(store, "daemonset-controller", ""),
  );
  const workers: Worker<ReconcileJob>[] = [
    runReconciler({
      queue: QUEUE.serviceAccount,
      connection,
      triggers,
      logger,
      reconcile: (r) => serviceAccounts.reconcile(r),
    }),
    runReconciler({ queue: QUEUE.job, connection, triggers, logger, reconcile: (r) => jobs.reconcile(r) }),
    runReconciler({
      queue: QUEUE.resourceQuota,
      connection,
      triggers,
      logger,
      reconcile: (r) => quotas.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.disruption,
      connection,
      triggers,
      logger,
      reconcile: (r) => budgets.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.persistentVolumes,
      connection,
      triggers,
      logger,
      reconcile: (r) => volumeBinding.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.cronjob,
      connection,
      triggers,
      logger,
      reconcile: (r) => cronJobs.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.replicaset,
      connection,
      triggers,
      logger,
      reconcile: (r) => replicasets.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.deployment,
      connection,
      triggers,
      logger,
      reconcile: (r) => deployments.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.statefulset,
      connection,
      triggers,
      logger,
      reconcile: (r) => statefulSets.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.daemonset,
      connection,
      triggers,
      logger,
      reconcile: (r) => daemonSets.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.garbageCollector,
      connection,
      triggers,
      logger,
      reconcile: (r) => collector.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.scheduler,
      connection,
      triggers,
      logger,
      concurrency: 1,
      reconcile: (r) => scheduler.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.namespace,
      connection,
      triggers,
      logger,
      reconcile: (r) => namespaces.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.endpoints,
      connection,
      triggers,
      logger,
      reconcile: (r) => endpoints.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.hpa,
      connection,
      triggers,
      logger,
      reconcile: (r) => autoscaler.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.ingress,
      connection,
      triggers,
      logger,
      reconcile: (r) => ingresses.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.clusterNetwork,
      connection,
      triggers,
      logger,
      reconcile: (r) => fanout.reconcile(r),
    }),
    runReconciler({
      queue: QUEUE.clusterTeardown,
      connection,
      triggers,
      logger,
      reconcile: (r) => teardown.reconcile(r),
    }),
  ];

  let agent: NodeAgent | undefined;
  if (options.nodeAgent) {
    const docker = dockerFromHost(config.dockerHost, config.dockerCertPath);
    const runtime = new DockerRuntime(docker, config.nodeName);
    // the agent's own writes (pod status) wake everyone but itself
    const agentStore = new ObjectStore(
      db,
      (change) => triggers.dispatch(change, QUEUE.node(config.nodeName)),
      hooks,
    );
    agent = new NodeAgent({
      nodeName: config.nodeName,
      nodeAddress: config.nodeAddress,
      nodeLabels: config.nodeLabels,
      nodeTaints: config.nodeTaints,
      agentHost: config.agentHost,
      agentPort: config.agentPort,
      ...(config.agentUrl ? { agentUrl: config.agentUrl } : {}),
      ticketKey: agentTicketKey(config.tokenSecret),
      dockerHost: config.dockerHost,
      resyncMs: config.resyncSeconds * 1000,
      runtime,
      networks,
      network: new NodeNetwork({
        store: agentStore,
        networks,
        runtime,
        helpers: new DockerHelpers(docker, config.nodeName),
        clusters,
        ingress: config.ingress,
        logger,
      }),
      metrics: new MetricsSampler(runtime, new MetricsRepository(db), config.nodeName),
      metricsMs: config.metricsSeconds * 1000,
      maxMemoryEmptyDirBytes: config.maxMemoryEmptyDirBytes,
      containerDefaults: config.containerDefaults,
      docker,
      store: agentStore,
      nodes,
      clusters,
      triggers,
      connection,
      logger,
    });
    await agent.start();
  }

  let periods = 0;
  const resync = async () => {
    for (const ref of await store.unscheduledPods()) await triggers.schedule(ref);
    for (const ns of await store.terminatingNamespaces())
      await triggers.finalizeNamespace(ns.clusterId, ns.name);
    // a cluster past its expiresAt goes with everything it ran, as a DELETE would take it
    for (const c of await clusters.expired()) await clusters.markTerminating(c.id);
    for (const c of await clusters.terminating()) await triggers.teardownCluster(c.id);
    const kinds = periods++ % SLOW_RESYNC_PERIODS === 0 ? [...CONTROLLED, ...EVENT_DRIVEN] : CONTROLLED;
    for (const [group, resource, queue] of kinds) {
      for (const ref of await store.keysOf(group, resource)) await triggers.trigger(queue, ref);
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
      await agent?.stop();
      await Promise.all(workers.map((w) => w.close()));
      await triggers.close();
      connection.disconnect();
      await db.$client.end();
    },
  };
}
