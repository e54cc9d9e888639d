import type { Worker } from "bullmq";
import type Docker from "dockerode";
import type { Redis } from "ioredis";
import type { ReconcileJob, Triggers } from "../../core/queues";
import type { Logger } from "../../core/telemetry";
import type { ClusterRepository } from "../../db/clusters";
import type { ClusterNetworks } from "../../db/networks";
import type { NodeRepository } from "../../db/nodes";
import type { ObjectStore } from "../../db/store";
import { enqueue, queueOf } from "../controller";
import { EventRecorder } from "../events";
import { runReconciler } from "../shell";
import { ContainerEvents } from "./container-events";
import { NODE_CONTROLLERS } from "./controllers";
import { EmptyDirUsage } from "./emptydir-usage";
import { probeVerdicts } from "./liveness";
import type { MetricsSampler } from "./metrics";
import type { NodeNetwork } from "./network";
import { type NodeDeps, NodePods, type PodSettings } from "./node-context";
import { type NodeIdentity, NodeLease } from "./node-lease";
import { podSyncController } from "./pod-sync";
import { relist } from "./relist";
import type { PodRuntime } from "./runtime";
import { type AgentServer, startAgentServer } from "./server";

/** Where the agent serves the API: logs, exec, port-forward (server.ts). */
export interface AgentServerSettings {
  host: string;
  port: number;
  /** How the API reaches the agent, when not at the address it binds. */
  url?: string;
  /** Or the host alone, on whichever port it binds (0 in `port`: any free one). */
  advertiseHost?: string;
  /** The key of the tickets the API signs for each request to the agent (`agentTicketKey`). */
  ticketKey: string;
}

export interface NodeAgentOptions {
  /** The node as it registers (node-lease.ts). */
  node: NodeIdentity;
  server: AgentServerSettings;
  pods: PodSettings;
  /** How often the agent relists (relist.ts), samples usage and measures emptyDirs, and heartbeats. */
  periods: { resyncMs: number; metricsMs: number; heartbeatMs?: number };
  /** The Docker host: its engine, the pods on it, its cluster networks and its usage sampler (metrics.k8s.io). */
  host: {
    docker: Pick<Docker, "info" | "ping" | "getEvents">;
    runtime: PodRuntime;
    network: NodeNetwork;
    metrics: MetricsSampler;
  };
  /** The platform's state and queues. */
  platform: {
    store: ObjectStore;
    nodes: NodeRepository;
    clusters: ClusterRepository;
    networks: ClusterNetworks;
    triggers: Triggers;
    connection: Redis;
  };
  logger: Logger;
  now?: () => Date;
}

/**
 * The node agent (the kubelet's role) for one Docker host, composed of its units: the node's lease, the
 * declared controllers on the node's queues (pod sync, cluster sweep, netds, gateway), Docker's container
 * events, the periodic relist, usage sampling and emptyDir measurement, and the server for the API.
 */
export class NodeAgent {
  private workers: Worker<ReconcileJob>[] = [];
  private server: AgentServer | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly deps: NodeDeps;
  private readonly lease: NodeLease;
  private readonly containerEvents: ContainerEvents;

  constructor(private readonly o: NodeAgentOptions) {
    const { node, host, platform } = o;
    const now = o.now ?? (() => new Date());
    const events = new EventRecorder(platform.store, "kubelet", node.name, now);
    const wakePod: NodeDeps["wakePod"] = (ref) =>
      enqueue(platform.triggers, podSyncController, { ref, node: node.name });
    this.deps = {
      nodeName: node.name,
      nodeAddress: node.address,
      pods: new NodePods(host.runtime, probeVerdicts({ runtime: host.runtime, events, wakePod })),
      settings: o.pods,
      store: platform.store,
      clusters: platform.clusters,
      networks: platform.networks,
      runtime: host.runtime,
      network: host.network,
      events,
      triggers: platform.triggers,
      wakePod,
      logger: o.logger,
      now,
    };
    this.lease = new NodeLease(node, host.docker, platform.nodes, o.periods.heartbeatMs);
    this.containerEvents = new ContainerEvents(this.deps, host.docker);
  }

  async start(): Promise<void> {
    const { o, deps } = this;
    this.server = await startAgentServer({
      runtime: o.host.runtime,
      ticketKey: o.server.ticketKey,
      logger: o.logger,
      host: o.server.host,
      port: o.server.port,
      ...(o.server.advertiseHost ? { advertiseHost: o.server.advertiseHost } : {}),
    });
    await this.lease.start(o.server.url ?? this.server.url);
    this.workers = NODE_CONTROLLERS.map((controller) =>
      runReconciler({
        queue: queueOf(controller, deps.nodeName),
        connection: o.platform.connection,
        triggers: o.platform.triggers,
        logger: o.logger,
        ...(controller.concurrency ? { concurrency: controller.concurrency } : {}),
        reconcile: controller.start(deps),
      }),
    );
    const emptyDirs = new EmptyDirUsage(deps);
    this.every(o.periods.metricsMs, "metrics sampling", () => o.host.metrics.sample(deps.now()));
    this.every(o.periods.metricsMs, "emptyDir measurement", () => emptyDirs.measure());
    this.every(o.periods.resyncMs, "relist", () => relist(deps));
    await this.containerEvents.start();
    await relist(deps);
  }

  private every(ms: number, what: string, task: () => Promise<unknown>): void {
    const run = () =>
      void task().catch((e: Error) => this.o.logger.warn(`${what} failed`, { error: e.message }));
    this.timers.push(setInterval(run, ms));
  }

  async stop(): Promise<void> {
    this.deps.pods.prober.stop();
    this.containerEvents.stop();
    this.lease.stop();
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.workers.map((w) => w.close()));
    await this.server?.close();
  }
}
