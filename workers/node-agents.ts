import type { Redis } from "ioredis";
import type postgres from "postgres";
import { agentTicketKey } from "../core/agent-protocol";
import type { Config } from "../core/config";
import type { Triggers } from "../core/queues";
import type { Logger } from "../core/telemetry";
import type { ClusterRepository } from "../db/clusters";
import type { MetricsRepository } from "../db/metrics";
import type { ClusterNetworks } from "../db/networks";
import type { NodeRepository, NodeRow } from "../db/nodes";
import type { ObjectStore } from "../db/store";
import { NodeAgent, type NodeAgentOptions } from "./node-agent/agent";
import { DockerRuntime, dockerFromHost } from "./node-agent/docker-runtime";
import { DockerHelpers, type HelperRuntime } from "./node-agent/helpers";
import { InClusterApi } from "./node-agent/in-cluster-api";
import { MetricsSampler } from "./node-agent/metrics";
import { NodeNetwork } from "./node-agent/network";
import type { NodeIdentity } from "./node-agent/node-lease";
import type { PodRuntime } from "./node-agent/runtime";
import { isSimulatedHost, SimulatedEngine, SimulatedHelpers } from "./node-agent/simulated/host";
import { SimulatedRuntime } from "./node-agent/simulated/runtime";
import type { SwarmEngine, SwarmFormation } from "./swarm";

/** What every node agent of a worker process shares: the platform's state, queues and settings. */
export interface AgentPlatform {
  config: Config;
  store: ObjectStore;
  nodes: NodeRepository;
  clusters: ClusterRepository;
  networks: ClusterNetworks;
  metrics: MetricsRepository;
  triggers: Triggers;
  connection: Redis;
  logger: Logger;
  /** The Swarm of the registered engines, whose manager makes the clusters' overlay networks. */
  swarm?: Pick<SwarmFormation, "managerEngine">;
}

/** What an agent drives on its host: the engine, the pods, the platform's helper containers. */
interface NodeHost {
  docker: NodeAgentOptions["host"]["docker"];
  runtime: PodRuntime;
  helpers: HelperRuntime;
}

/** The Docker engine at `node.dockerHost`, or a simulated one for `simulated://` (benches and tests). */
function hostOf(node: NodeIdentity, certPath: string | undefined, swarm: AgentPlatform["swarm"]): NodeHost {
  if (isSimulatedHost(node.dockerHost)) {
    const runtime = new SimulatedRuntime(node.name);
    return { docker: new SimulatedEngine(node.name, runtime), runtime, helpers: new SimulatedHelpers() };
  }
  const docker = dockerFromHost(node.dockerHost, certPath);
  return {
    docker,
    runtime: new DockerRuntime(docker, node.name, swarm),
    helpers: new DockerHelpers(docker, node.name),
  };
}

/** A node agent for the host `node.dockerHost`, serving the API on `port` (0: any free port). */
export function nodeAgent(
  p: AgentPlatform,
  node: NodeIdentity,
  engine: {
    certPath?: string | undefined;
    port: number;
    url?: string | undefined;
    advertiseHost?: string | undefined;
  },
): NodeAgent {
  const { config } = p;
  const { docker, runtime, helpers } = hostOf(node, engine.certPath, p.swarm);
  return new NodeAgent({
    node,
    server: {
      host: config.agentHost,
      port: engine.port,
      ...(engine.url ? { url: engine.url } : {}),
      ...(engine.advertiseHost ? { advertiseHost: engine.advertiseHost } : {}),
      ticketKey: agentTicketKey(config.tokenSecret),
    },
    pods: {
      containerDefaults: config.containerDefaults,
      maxMemoryEmptyDirBytes: config.maxMemoryEmptyDirBytes,
      tokenSecret: config.tokenSecret,
    },
    periods: {
      resyncMs: config.resyncSeconds * 1000,
      metricsMs: config.metricsSeconds * 1000,
      // the kubelet's 10 s, or often enough that a shortened grace never sees a live node miss one
      heartbeatMs: Math.min(10_000, (config.nodeMonitorGraceSeconds * 1000) / 4),
    },
    host: {
      docker,
      runtime,
      network: new NodeNetwork({
        store: p.store,
        networks: p.networks,
        runtime,
        helpers,
        clusters: p.clusters,
        ingress: config.ingress,
        api: InClusterApi.fromConfig(config),
        logger: p.logger,
        nodeName: node.name,
      }),
      metrics: new MetricsSampler(runtime, p.metrics, node.name),
    },
    platform: {
      store: p.store,
      nodes: p.nodes,
      clusters: p.clusters,
      networks: p.networks,
      triggers: p.triggers,
      connection: p.connection,
    },
    logger: p.logger,
  });
}

/** A registered node as its agent registers it again: the identity the management API recorded. */
export function identityOf(row: NodeRow): NodeIdentity {
  return {
    name: row.name,
    address: row.addresses.find((a) => a.type === "InternalIP")?.address ?? row.name,
    dockerHost: row.dockerHost,
    labels: row.labels,
    taints: row.taints,
    ...(row.maxPods ? { maxPods: row.maxPods } : {}),
  };
}

/** What the supervisor needs of a node agent. */
export type RunningAgent = Pick<NodeAgent, "start" | "stop">;

/** Advisory locks of node agents: one lock space, one key per node name. */
const LOCK_SPACE = "timonier-node-agent";

/**
 * Runs an agent for every node registered through the management API (`managed`), each in exactly one
 * worker replica: the replica holding the node's Postgres advisory lock, a session lock that a dead
 * replica's connection gives up, so another replica takes the node over at its next pass. A pass runs
 * every resync period: a node registered meanwhile gets its agent, a removed one loses it, with no restart.
 * An agent that fails to start (its engine unreachable) is tried again at the next pass. A node removed
 * through the API has its engine retired (what the platform made there, and its Swarm membership). Each
 * pass then makes the registered engines one Swarm when there are several (swarm.ts).
 */
export class NodeSupervisor {
  private readonly agents = new Map<string, RunningAgent>();
  /** The rows of the nodes whose agents run here, to retire the engine of one that was removed. */
  private readonly rows = new Map<string, NodeRow>();
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> = Promise.resolve();
  private inPass = false;

  constructor(
    private readonly o: {
      nodes: Pick<NodeRepository, "list">;
      /** Builds the agent of a node; `start()` throws when its engine cannot be reached. */
      agentOf(row: NodeRow): RunningAgent;
      /** A connection of the supervisor's own (max 1): the advisory locks live in its session. */
      locks: postgres.Sql;
      logger: Logger;
      /** Forms the Swarm of the registered engines (absent: every node keeps bridge networks). */
      swarm?: { reconcile(engines: SwarmEngine[]): Promise<ReadonlySet<string>> };
      engineOf?(row: NodeRow): SwarmEngine;
      /** Removes what the platform left on a removed node's engine. */
      retire?(row: NodeRow): Promise<void>;
    },
  ) {}

  start(periodMs: number): Promise<void> {
    this.timer = setInterval(() => {
      // one pass at a time: two would both start an agent for a node (the advisory lock is the session's)
      if (this.inPass) return;
      this.passing = this.guarded().catch((e: Error) =>
        this.o.logger.warn("node supervision failed", { error: e.message }),
      );
    }, periodMs);
    this.passing = this.guarded();
    return this.passing;
  }

  private async guarded(): Promise<void> {
    this.inPass = true;
    try {
      await this.pass();
    } finally {
      this.inPass = false;
    }
  }

  /** The nodes whose agents run here. */
  get running(): string[] {
    return [...this.agents.keys()];
  }

  /** One pass, as the timer runs it: agents for the nodes this replica holds, none for the others. */
  async pass(): Promise<void> {
    const rows = (await this.o.nodes.list()).filter((r) => r.managed);
    const held = await this.heldLocks();
    for (const [name, agent] of this.agents) {
      const registered = rows.some((r) => r.name === name);
      if (registered && held.has(name)) continue;
      this.agents.delete(name);
      await agent.stop().catch(() => undefined);
      const row = this.rows.get(name);
      this.rows.delete(name);
      if (!registered && row)
        await this.o
          .retire?.(row)
          .catch((e: Error) =>
            this.o.logger.warn("removed node's engine not cleaned up", { node: name, error: e.message }),
          );
      await this.unlock(name);
      this.o.logger.info("node agent stopped", { node: name });
    }
    const ready = await this.dataPlaneReady(rows);
    for (const row of rows) {
      if (this.agents.has(row.name) || !ready.has(row.name) || !(await this.lock(row.name))) continue;
      const agent = this.o.agentOf(row);
      try {
        await agent.start();
        this.agents.set(row.name, agent);
        this.rows.set(row.name, row);
        this.o.logger.info("node agent started", { node: row.name });
      } catch (e) {
        await agent.stop().catch(() => undefined);
        await this.unlock(row.name);
        this.o.logger.warn("node agent could not start", { node: row.name, error: (e as Error).message });
      }
    }
  }

  /**
   * The nodes whose agents may start: on several registered engines, those in the Swarm (formed here
   * first), so that no pod lands on an engine whose cluster networks would not be the shared overlays.
   */
  private async dataPlaneReady(rows: NodeRow[]): Promise<ReadonlySet<string>> {
    const { swarm, engineOf } = this.o;
    const all = new Set(rows.map((r) => r.name));
    if (!swarm || !engineOf) return all;
    // simulated nodes have no engine, and no network to share
    const engines = rows.filter((r) => !isSimulatedHost(r.dockerHost));
    const byAge = engines.sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name),
    );
    const ready = new Set(
      await swarm.reconcile(byAge.map(engineOf)).catch((e: Error) => {
        this.o.logger.warn("swarm formation failed", { error: e.message });
        return new Set<string>();
      }),
    );
    for (const row of rows) if (isSimulatedHost(row.dockerHost)) ready.add(row.name);
    for (const name of all)
      if (!ready.has(name) && !this.agents.has(name))
        this.o.logger.info("node agent waits for its engine to join the Swarm", { node: name });
    return ready;
  }

  private async lock(name: string): Promise<boolean> {
    const [row] = await this.o.locks<{ locked: boolean }[]>`
      select pg_try_advisory_lock(hashtext(${LOCK_SPACE}), hashtext(${name})) as locked`;
    return row?.locked === true;
  }

  private async unlock(name: string): Promise<void> {
    await this.o.locks`select pg_advisory_unlock(hashtext(${LOCK_SPACE}), hashtext(${name}))`.catch(() => {});
  }

  /** The nodes whose lock this session still holds: a reconnected session holds none. */
  private async heldLocks(): Promise<Set<string>> {
    const names = [...this.agents.keys()];
    if (!names.length) return new Set();
    const rows = await this.o.locks<{ name: string }[]>`
      select n.name from unnest(${names}::text[]) as n(name)
      join pg_locks l on l.locktype = 'advisory' and l.pid = pg_backend_pid() and l.granted
        and l.classid = hashtext(${LOCK_SPACE})::oid and l.objid = hashtext(n.name)::oid and l.objsubid = 2`;
    return new Set(rows.map((r) => r.name));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.passing.catch(() => undefined);
    for (const [name, agent] of this.agents) {
      await agent.stop().catch(() => undefined);
      await this.unlock(name);
    }
    this.agents.clear();
  }
}
