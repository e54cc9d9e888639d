import type { Readable } from "node:stream";
import type { ClusterNetwork } from "../../core/network/cluster-network";
import type { ArchiveEntry } from "./archive";
import type { PodDns } from "./pod-dns";

/** Labels that make every container findable and garbage-collectable by the agent that owns it. */
export const LABEL = {
  node: "io.timonier.node",
  cluster: "io.timonier.cluster",
  namespace: "io.timonier.namespace",
  pod: "io.timonier.pod",
  podUid: "io.timonier.pod-uid",
  container: "io.timonier.container",
  attempt: "io.timonier.attempt",
  role: "io.timonier.role",
  /** Hash of the container's spec: a running container whose hash differs is replaced (as the kubelet does). */
  hash: "io.timonier.container-hash",
} as const;

export interface PodIdentity {
  clusterId: string;
  namespace: string;
  name: string;
  uid: string;
}

/** The labels of one of a pod's containers on `node`: its sandbox ("POD") or an app container. */
export function containerLabels(
  node: string,
  pod: PodIdentity,
  name: string,
  attempt: number,
  role: "sandbox" | "container",
): Record<string, string> {
  return {
    [LABEL.node]: node,
    [LABEL.cluster]: pod.clusterId,
    [LABEL.namespace]: pod.namespace,
    [LABEL.pod]: pod.name,
    [LABEL.podUid]: pod.uid,
    [LABEL.container]: name,
    [LABEL.attempt]: String(attempt),
    [LABEL.role]: role,
  };
}

/** One container instance as the runtime sees it. */
export interface ObservedContainer {
  id: string;
  /** Container name in the pod spec; "POD" for the sandbox. */
  name: string;
  attempt: number;
  /** The spec hash it was created from; "" for the sandbox. */
  hash: string;
  image: string;
  imageId: string;
  state: "created" | "running" | "exited";
  exitCode: number;
  oomKilled: boolean;
  startedAt?: string;
  finishedAt?: string;
  /** Sandbox only: the pod IP on the cluster network. */
  ip?: string;
}

/** Everything the runtime holds for one pod uid. */
export interface ObservedPod {
  pod: PodIdentity;
  sandboxes: ObservedContainer[];
  containers: ObservedContainer[];
}

/** A Docker volume mounted into a container. */
export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** A Docker volume for a pod (removed with it) or for a cluster (removed with the cluster). */
export interface VolumeSpec {
  name: string;
  clusterId: string;
  podUid?: string;
  /** A tmpfs of that size (emptyDir with medium Memory). */
  tmpfsBytes?: number;
  /** The tmpfs root's group (the pod's fsGroup), setgid and group-writable as the kubelet leaves it. */
  tmpfsGid?: number;
}

export interface SandboxSpec {
  pod: PodIdentity;
  /** The populated volumes (configMap, secret…), where the agent writes their files. */
  mounts?: Mount[];
  networkId: string;
  hostname: string;
  /** `<subdomain>.<namespace>.svc.cluster.local` when the pod names a subdomain. */
  domainname?: string;
  /** The resolver configuration; undefined keeps Docker's. */
  dns?: PodDns;
  attempt: number;
  /** The address the pod had (a woken pod's): asked for again when no container holds it now. */
  ip?: string;
}

/**
 * Who a container runs as and what it may do, from its pod's and its own securityContext (security.ts).
 * Absent, the container runs as its image says with Docker's defaults.
 */
export interface ContainerSecurity {
  /** `uid`, `uid:gid` or `user:gid` for Docker's User; undefined keeps the image's user. */
  user?: string;
  /** Supplementary groups besides the user's own: fsGroup, then supplementalGroups. */
  groups: number[];
  readOnlyRootfs: boolean;
  /** Docker's no-new-privileges: set unless the container allows privilege escalation. */
  noNewPrivileges: boolean;
  /** Capability names as the pod gives them (`NET_ADMIN`, `ALL`), which Docker takes as they are. */
  capAdd: string[];
  capDrop: string[];
}

export interface ContainerSpec {
  pod: PodIdentity;
  hash: string;
  sandboxId: string;
  name: string;
  attempt: number;
  image: string;
  command?: string[];
  args?: string[];
  env: string[];
  workingDir?: string;
  tty: boolean;
  stdin: boolean;
  /** Close the process's stdin when the first attached client ends its input (`kubectl run -i`). */
  stdinOnce: boolean;
  /** cgroup limits: bytes, CPU in nano-CPUs, relative CPU shares, processes and threads. */
  memoryBytes?: number;
  nanoCpus?: number;
  cpuShares?: number;
  pidsLimit?: number;
  mounts?: Mount[];
  /** Share this container's process namespace (an ephemeral container's target). */
  pidContainerId?: string;
  security?: ContainerSecurity;
}

export interface LogOptions {
  follow: boolean;
  tailLines?: number;
  timestamps: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
}

/** A command running in a container: its raw output, stdin, and how it ended. */
export interface ExecSession {
  /** stdout and stderr as they come (one stream when a TTY is attached). */
  stdout: Readable;
  stderr: Readable;
  write(data: Buffer): void;
  endInput(): void;
  resize(width: number, height: number): Promise<void>;
  /** Resolves with the exit code once the command ends. */
  exitCode(): Promise<number>;
}

export interface ExecOptions {
  command: string[];
  stdin: boolean;
  tty: boolean;
}

export interface ClusterLink {
  id: string;
  /** One attachable overlay network for every node of the Swarm, rather than a bridge of this node's. */
  overlay: boolean;
}

/**
 * The domain interface to a Docker host: pods as a sandbox (pause) container that owns the network
 * namespace plus one container per spec entry joined to it. Every call is idempotent where it can be
 * (ensureX), and failures are thrown as errors for the caller to retry.
 */
export interface PodRuntime {
  /** The cluster's network on this node: its id, and whether it is the Swarm's overlay across nodes. */
  ensureNetwork(clusterId: string, network: ClusterNetwork): Promise<ClusterLink>;
  removeNetwork(clusterId: string): Promise<void>;
  /** Whether the engine is in the platform's Swarm: clusters' networks are overlays across nodes. */
  inSwarm(): Promise<boolean>;
  /** The pods this node holds, by pod uid; `filter` narrows by labels (see LABEL). */
  listPods(filter?: Record<string, string>): Promise<Map<string, ObservedPod>>;
  hasImage(image: string): Promise<boolean>;
  /** The user the image runs as (its config's User, `""` when it names none); throws when it is absent. */
  imageUser(image: string): Promise<string>;
  /** Creates (does not start) the sandbox; returns its id. */
  createSandbox(spec: SandboxSpec): Promise<string>;
  /**
   * Creates (does not start) an app container joined to the sandbox. The sandbox must exist but need not
   * run yet, so the agent creates containers while the sandbox starts.
   */
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  ensureVolume(spec: VolumeSpec): Promise<void>;
  /** Removes the volumes of a pod, or of a whole cluster. */
  removeVolumes(owner: { podUid: string } | { clusterId: string }): Promise<void>;
  /** Writes files under a directory of a container (created or running). */
  putFiles(containerId: string, dir: string, entries: ArchiveEntry[]): Promise<void>;
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  logs(containerId: string, options: LogOptions): Promise<Readable>;
  exec(containerId: string, options: ExecOptions): Promise<ExecSession>;
  /** What a running container uses now: CPU in nanocores over the last second, memory in its working set. */
  usage(containerId: string): Promise<{ cpuNanoCores: number; memoryBytes: number } | undefined>;
  /** Attaches to the container's main process (its stdin when it was created with one). */
  attach(containerId: string, options: { stdin: boolean; tty: boolean }): Promise<ExecSession>;
}
