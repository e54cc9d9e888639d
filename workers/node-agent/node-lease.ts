import type Docker from "dockerode";
import type { Taint } from "../../core/k8s/scheduling/types";
import type { NodeRegistration, NodeRepository } from "../../db/nodes";

const HEARTBEAT_MS = 10_000;

/** The node as its operator configured it: what it registers besides what Docker tells of the host. */
export interface NodeIdentity {
  name: string;
  /** The node's address as users reach it; reported as InternalIP and hostIP. */
  address: string;
  /** How the platform reaches the node's Docker engine. */
  dockerHost: string;
  /** The operator's labels and taints for the node. */
  labels?: Record<string, string>;
  taints?: Taint[];
  /** The operator's TIMONIER_NODE_MAX_PODS; else sized from the host's memory (`podCapacity`). */
  maxPods?: number;
}

const KUBELET_MAX_PODS = 110;
const MEMORY_PER_POD = 32 * 1024 * 1024;

/**
 * How many pods a Docker host takes when the operator does not say: kubelet's 110 is one machine's share
 * in a real cluster, where a Docker host here runs the pods of every student's cluster.
 */
export function podCapacity(memTotalBytes: number): number {
  return Math.max(KUBELET_MAX_PODS, Math.floor(memTotalBytes / MEMORY_PER_POD));
}

type DockerInfo = Awaited<ReturnType<Docker["info"]>>;

/** Docker's machine names in Kubernetes' words (GOARCH). */
function architecture(docker: string): string {
  return docker === "x86_64" ? "amd64" : docker === "aarch64" ? "arm64" : docker;
}

/** The node's registration: the operator's identity, the host's capacity and versions, the agent's URL. */
export function registration(
  node: NodeIdentity,
  info: DockerInfo,
  agentUrl: string | null,
): NodeRegistration {
  const capacity = {
    cpu: String(info.NCPU),
    memory: `${Math.floor(info.MemTotal / 1024)}Ki`,
    pods: String(node.maxPods ?? podCapacity(info.MemTotal)),
    "ephemeral-storage": "100Gi",
  };
  return {
    name: node.name,
    dockerHost: node.dockerHost,
    agentUrl,
    capacity,
    allocatable: capacity,
    labels: node.labels ?? {},
    taints: node.taints ?? [],
    info: {
      kernelVersion: info.KernelVersion,
      osImage: info.OperatingSystem,
      containerRuntimeVersion: `docker://${info.ServerVersion}`,
      architecture: architecture(info.Architecture),
      machineID: info.ID,
    },
    addresses: [
      { type: "InternalIP", address: node.address },
      { type: "Hostname", address: node.name },
    ],
  };
}

/**
 * The node's lease: registers the node, then heartbeats it (the kubelet's NodeLease) so that it stays
 * Ready. The heartbeat is a timer writing to Postgres, never a job on a Redis queue: a node must stay
 * Ready while Redis is down (its pods keep running meanwhile), or the scheduler would stop placing pods on
 * it and the API would report it NotReady for an outage of the queues alone. It beats only while the
 * node's Docker engine answers: the agent runs away from its host, and an engine it cannot reach is, to
 * the platform, a machine that stopped posting its status (the node lifecycle controller's business).
 */
export class NodeLease {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly node: NodeIdentity,
    private readonly docker: Pick<Docker, "info" | "ping">,
    private readonly nodes: Pick<NodeRepository, "register" | "heartbeat">,
    private readonly heartbeatMs = HEARTBEAT_MS,
  ) {}

  async start(agentUrl: string | null): Promise<void> {
    await this.nodes.register(registration(this.node, await this.docker.info(), agentUrl));
    const beat = async () => {
      await this.docker.ping();
      await this.nodes.heartbeat(this.node.name);
    };
    this.timer = setInterval(() => void beat().catch(() => {}), this.heartbeatMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
