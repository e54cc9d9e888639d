import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type Duplex, PassThrough, type Readable } from "node:stream";
import type { Attributes } from "@opentelemetry/api";
import Docker from "dockerode";
import { METRICS } from "../../core/metrics";
import type { ClusterNetwork } from "../../core/network/cluster-network";
import { withSpan } from "../../core/telemetry";
import type { SwarmFormation } from "../swarm";
import { type ArchiveEntry, tarOf } from "./archive";
import {
  type ClusterLink,
  type ContainerSpec,
  containerLabels,
  type ExecOptions,
  type ExecSession,
  LABEL,
  type LogOptions,
  type Mount,
  type ObservedContainer,
  type ObservedPod,
  type PodRuntime,
  type SandboxSpec,
  type VolumeSpec,
} from "./runtime";
import { dockerSecurity } from "./security";

/** A call to the Docker Engine API, traced as a span and timed by operation and outcome. */
export async function dockerCall<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome = "error";
  try {
    const result = await withSpan(name, attributes, fn);
    outcome = "ok";
    return result;
  } finally {
    METRICS.dockerDuration.record((performance.now() - started) / 1000, {
      "docker.operation": name.replace(/^docker\./, ""),
      outcome,
    });
  }
}

export const PAUSE_IMAGE = "timonier/pause:1";
/** The pause container's pids limit: it runs one process, and nothing else is ever started in it. */
const SANDBOX_PIDS = 32;
const IMAGE_CACHE_MS = 30_000;

export function networkName(clusterId: string): string {
  return `timonier-${clusterId}`;
}

/** `unix:///var/run/docker.sock` or `tcp://host:2376` (TLS from DOCKER_CERT_PATH) to dockerode options. */
export function dockerFromHost(dockerHost: string, certPath?: string): Docker {
  if (dockerHost.startsWith("unix://")) return new Docker({ socketPath: dockerHost.slice("unix://".length) });
  const url = new URL(dockerHost.replace(/^tcp:/, "http:"));
  if (!certPath) return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
  // a remote engine over TLS, as the docker CLI reaches it with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH
  const dir = certPath.replace(/^~(?=\/|$)/, homedir());
  const read = (name: string) => readFileSync(join(dir, name));
  return new Docker({
    protocol: "https",
    host: url.hostname,
    port: Number(url.port || 2376),
    ca: read("ca.pem"),
    cert: read("cert.pem"),
    key: read("key.pem"),
  });
}

type ContainerInfo = Awaited<ReturnType<Docker["listContainers"]>>[number];

/** Splits Docker's multiplexed stdout/stderr frames (8-byte headers) of a non-TTY container. */
export function demuxFrames(buffer: Buffer): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    out.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(out);
}

interface DockerStats {
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats: { usage?: number; stats?: Record<string, number> };
}

/** A volume mount, hiding what the image has at the target as Kubernetes does (no copy into the volume). */
function dockerMount(m: Mount): Docker.MountSettings {
  return {
    Type: "volume",
    Source: m.source,
    Target: m.target,
    ReadOnly: m.readOnly,
    VolumeOptions: { NoCopy: true } as Docker.MountSettings["VolumeOptions"],
  };
}

/** The Docker Engine API behind `PodRuntime`: labels are the source of truth, names are deterministic. */
export class DockerRuntime implements PodRuntime {
  /** Network ids by name and images known to be present, to spare a round trip per pod start. */
  private readonly networks = new Map<string, Promise<ClusterLink>>();
  private readonly imagesSeen = new Map<string, { until: number; user: string }>();
  /** Each running container's last CPU reading, for the next sample's difference. */
  private readonly cpuSamples = new Map<string, { cpu: number; system: number }>();
  /** The host's CPUs, read once: Docker refuses NanoCpus above them. */
  private hostCpus: Promise<number> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly nodeName: string,
    /** The platform's Swarm of registered engines, for the manager that makes overlay networks. */
    private readonly swarm?: Pick<SwarmFormation, "managerEngine">,
  ) {}

  /**
   * One network per cluster on the cluster's own block: Docker hands out pod IPs from its lower half only,
   * the upper half holds the ClusterIPs the cluster's netd answers for. A bridge of this node's, or, when
   * the engine is in the platform's Swarm (several nodes), the cluster's attachable overlay network that
   * every node shares, whose addresses the Swarm allocates once for all of them. A bridge made before the
   * Swarm formed is kept. Calls for one cluster are serialised (Docker does not stop two concurrent
   * creations of one name).
   */
  ensureNetwork(clusterId: string, network: ClusterNetwork): Promise<ClusterLink> {
    const name = networkName(clusterId);
    const known = this.networks.get(name);
    if (known) return known;
    const pending = this.createNetworkOnce(clusterId, name, network);
    this.networks.set(name, pending);
    pending.catch(() => this.networks.delete(name));
    return pending;
  }

  private async createNetworkOnce(
    clusterId: string,
    name: string,
    network: ClusterNetwork,
  ): Promise<ClusterLink> {
    const networks = await this.docker.listNetworks();
    const same = networks.filter((n) => n.Name === name).sort((a, b) => a.Created.localeCompare(b.Created));
    const local = same.filter((n) => n.Scope !== "swarm");
    if (local[0]) {
      // duplicates left by an older agent: keep the oldest, drop the others
      for (const extra of local.slice(1))
        await this.docker
          .getNetwork(extra.Id)
          .remove()
          .catch(() => undefined);
      return { id: local[0].Id, overlay: false };
    }
    const manager = await this.swarmManager();
    if (manager) return { id: await this.ensureOverlay(manager, clusterId, name, network), overlay: true };
    return dockerCall("docker.network.create", { "timonier.cluster.id": clusterId }, async () => {
      try {
        const created = await this.docker.createNetwork({
          Name: name,
          Driver: "bridge",
          CheckDuplicate: true,
          IPAM: {
            Driver: "default",
            Config: [{ Subnet: network.cidr, IPRange: network.podRange, Gateway: network.gateway }],
          },
          Labels: { [LABEL.cluster]: clusterId, [LABEL.node]: this.nodeName },
        });
        return { id: created.id, overlay: false };
      } catch (err) {
        if (!/overlap/i.test((err as Error).message ?? "")) throw err;
        const holder = networks.find((n) => (n.IPAM?.Config ?? []).some((c) => c.Subnet === network.cidr));
        throw new Error(
          `the cluster's block ${network.cidr} overlaps a network of ${this.nodeName}${holder ? ` (${holder.Name})` : ""}: set TIMONIER_CLUSTER_NETWORK_POOL to a free range`,
        );
      }
    });
  }

  async inSwarm(): Promise<boolean> {
    const { Swarm } = (await this.docker.info()) as { Swarm?: { LocalNodeState?: string } };
    return Swarm?.LocalNodeState === "active";
  }

  /**
   * Where swarm-scoped networks are made when this engine is in a Swarm: itself when it is a manager, else
   * the manager the platform last reached; undefined when the engine is in none.
   */
  private async swarmManager(): Promise<Docker | undefined> {
    const { Swarm } = (await this.docker.info()) as {
      Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
    };
    if (Swarm?.LocalNodeState !== "active") return undefined;
    if (Swarm.ControlAvailable) return this.docker;
    const manager = this.swarm?.managerEngine();
    if (!manager)
      throw new Error(`${this.nodeName} is in a Swarm whose manager the platform has not reached`);
    return manager;
  }

  private async ensureOverlay(
    manager: Docker,
    clusterId: string,
    name: string,
    network: ClusterNetwork,
  ): Promise<string> {
    const existing = async () =>
      (await manager.listNetworks({ filters: { name: [name] } })).find(
        (n) => n.Name === name && n.Scope === "swarm",
      )?.Id;
    const found = await existing();
    if (found) return found;
    return dockerCall("docker.network.create", { "timonier.cluster.id": clusterId }, async () => {
      try {
        const created = await manager.createNetwork({
          Name: name,
          Driver: "overlay",
          Attachable: true,
          CheckDuplicate: true,
          IPAM: {
            Driver: "default",
            Config: [{ Subnet: network.cidr, IPRange: network.podRange, Gateway: network.gateway }],
          },
          Labels: { [LABEL.cluster]: clusterId },
        });
        return created.id;
      } catch (err) {
        // another node's agent made it meanwhile
        const raced = await existing();
        if (raced) return raced;
        throw err;
      }
    });
  }

  async removeNetwork(clusterId: string): Promise<void> {
    const name = networkName(clusterId);
    this.networks.delete(name);
    const existing = await this.docker.listNetworks({ filters: { name: [name] } });
    for (const n of existing.filter((x) => x.Name === name && x.Scope !== "swarm")) {
      await dockerCall("docker.network.remove", { "timonier.cluster.id": clusterId }, async () => {
        try {
          await this.docker.getNetwork(n.Id).remove();
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 404) throw err;
        }
      });
    }
    // the overlay goes with the last node's endpoints: the manager refuses while other nodes have some
    const manager = await this.swarmManager().catch(() => undefined);
    if (!manager) return;
    const overlays = await manager.listNetworks({ filters: { name: [name] } });
    for (const n of overlays.filter((x) => x.Name === name && x.Scope === "swarm"))
      await manager
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined);
  }

  async listPods(filter: Record<string, string> = {}): Promise<Map<string, ObservedPod>> {
    const label = [`${LABEL.node}=${this.nodeName}`, ...Object.entries(filter).map(([k, v]) => `${k}=${v}`)];
    const list = await this.docker.listContainers({ all: true, filters: { label } });
    const pods = new Map<string, ObservedPod>();
    // the platform's own helpers (netd, gateway) carry no pod
    const details = await Promise.all(list.filter((c) => c.Labels[LABEL.podUid]).map((c) => this.observe(c)));
    for (const [info, observed] of details) {
      const uid = info.Labels[LABEL.podUid] ?? "";
      let pod = pods.get(uid);
      if (!pod) {
        pod = {
          pod: {
            clusterId: info.Labels[LABEL.cluster] ?? "",
            namespace: info.Labels[LABEL.namespace] ?? "",
            name: info.Labels[LABEL.pod] ?? "",
            uid,
          },
          sandboxes: [],
          containers: [],
        };
        pods.set(uid, pod);
      }
      (observed.name === "POD" ? pod.sandboxes : pod.containers).push(observed);
    }
    return pods;
  }

  private async observe(info: ContainerInfo): Promise<[ContainerInfo, ObservedContainer]> {
    const base = {
      id: info.Id,
      name: info.Labels[LABEL.container] ?? "",
      attempt: Number(info.Labels[LABEL.attempt] ?? 0),
      hash: info.Labels[LABEL.hash] ?? "",
      image: info.Image,
      imageId: info.ImageID,
    };
    if (info.State === "running" && base.name === "POD") {
      const ip = Object.values(info.NetworkSettings?.Networks ?? {})[0]?.IPAddress;
      return [info, { ...base, state: "running", exitCode: 0, oomKilled: false, ...(ip ? { ip } : {}) }];
    }
    const inspect = await this.docker
      .getContainer(info.Id)
      .inspect()
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode === 404) return undefined;
        throw err;
      });
    if (!inspect) return [info, { ...base, state: "exited", exitCode: 0, oomKilled: false }];
    const s = inspect.State;
    const state = s.Running ? "running" : s.Status === "created" ? "created" : "exited";
    const time = (t: string) => (t && !t.startsWith("0001") ? t.replace(/\.\d+Z$/, "Z") : undefined);
    const startedAt = time(s.StartedAt);
    const finishedAt = time(s.FinishedAt);
    return [
      info,
      {
        ...base,
        state,
        exitCode: s.ExitCode,
        oomKilled: s.OOMKilled,
        ...(startedAt ? { startedAt } : {}),
        ...(finishedAt && state === "exited" ? { finishedAt } : {}),
      },
    ];
  }

  async hasImage(image: string): Promise<boolean> {
    try {
      await this.inspectImage(image);
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw err;
    }
  }

  async imageUser(image: string): Promise<string> {
    return (await this.inspectImage(image)).user;
  }

  private async inspectImage(image: string): Promise<{ until: number; user: string }> {
    const seen = this.imagesSeen.get(image);
    if (seen && seen.until > Date.now()) return seen;
    const info = await this.docker.getImage(image).inspect();
    const fresh = { until: Date.now() + IMAGE_CACHE_MS, user: info.Config?.User ?? "" };
    this.imagesSeen.set(image, fresh);
    return fresh;
  }

  async createSandbox(spec: SandboxSpec): Promise<string> {
    try {
      return await this.createSandboxContainer(spec);
    } catch (err) {
      // the network may have been removed behind our back: forget it so the retry recreates it
      if (/network/i.test((err as Error).message)) this.networks.delete(networkName(spec.pod.clusterId));
      throw err;
    }
  }

  /** `ip` when no container on the network holds it now: Docker would refuse the sandbox's start. */
  private async freeAddress(networkId: string, ip: string | undefined): Promise<string | undefined> {
    if (!ip) return undefined;
    try {
      const info = (await this.docker.getNetwork(networkId).inspect()) as {
        Containers?: Record<string, { IPv4Address?: string }>;
      };
      const held = Object.values(info.Containers ?? {}).some((c) => c.IPv4Address?.split("/")[0] === ip);
      return held ? undefined : ip;
    } catch {
      return undefined;
    }
  }

  private async createSandboxContainer(spec: SandboxSpec): Promise<string> {
    const { pod } = spec;
    const ip = await this.freeAddress(spec.networkId, spec.ip);
    return dockerCall(
      "docker.sandbox.create",
      { "k8s.pod.uid": pod.uid, "k8s.pod.name": pod.name },
      async () => {
        const container = await this.docker.createContainer({
          name: `k8s_POD_${pod.name}_${pod.namespace}_${pod.uid}_${spec.attempt}`,
          Image: PAUSE_IMAGE,
          Hostname: spec.hostname.slice(0, 63),
          ...(spec.domainname ? { Domainname: spec.domainname } : {}),
          Labels: containerLabels(this.nodeName, pod, "POD", spec.attempt, "sandbox"),
          HostConfig: {
            NetworkMode: spec.networkId,
            IpcMode: "shareable",
            ...(spec.dns
              ? { Dns: spec.dns.servers, DnsSearch: spec.dns.searches, DnsOptions: spec.dns.options }
              : {}),
            Memory: 32 * 1024 * 1024,
            PidsLimit: SANDBOX_PIDS,
            ...(spec.mounts?.length ? { Mounts: spec.mounts.map(dockerMount) } : {}),
            Privileged: false,
            SecurityOpt: ["no-new-privileges"],
          },
          ...(ip
            ? {
                NetworkingConfig: {
                  EndpointsConfig: { [spec.networkId]: { IPAMConfig: { IPv4Address: ip } } },
                },
              }
            : {}),
        });
        return container.id;
      },
    );
  }

  async ensureVolume(spec: VolumeSpec): Promise<void> {
    await dockerCall("docker.volume.create", { "docker.volume.name": spec.name }, async () => {
      await this.docker.createVolume({
        Name: spec.name,
        Labels: {
          [LABEL.node]: this.nodeName,
          [LABEL.cluster]: spec.clusterId,
          ...(spec.podUid ? { [LABEL.podUid]: spec.podUid } : {}),
        },
        ...(spec.tmpfsBytes
          ? {
              DriverOpts: {
                type: "tmpfs",
                device: "tmpfs",
                // a tmpfs root is 1777; the fsGroup's is the kubelet's 1777 | 0660 | setgid
                o: `size=${spec.tmpfsBytes}${spec.tmpfsGid !== undefined ? `,mode=3777,gid=${spec.tmpfsGid}` : ""}`,
              },
            }
          : {}),
      });
    });
  }

  async removeVolumes(owner: { podUid: string } | { clusterId: string }): Promise<void> {
    const label =
      "podUid" in owner ? `${LABEL.podUid}=${owner.podUid}` : `${LABEL.cluster}=${owner.clusterId}`;
    const { Volumes } = await this.docker.listVolumes({
      filters: JSON.stringify({ label: [label, `${LABEL.node}=${this.nodeName}`] }),
    });
    await Promise.all(
      (Volumes ?? []).map((v) =>
        this.docker
          .getVolume(v.Name)
          .remove()
          .catch((err: { statusCode?: number }) => {
            // 409: still mounted by a container being removed; the next relist takes it
            if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
          }),
      ),
    );
  }

  async putFiles(containerId: string, dir: string, entries: ArchiveEntry[]): Promise<void> {
    await dockerCall("docker.container.put_archive", { "container.id": containerId }, async () => {
      await this.docker.getContainer(containerId).putArchive(await tarOf(entries), { path: dir });
    });
  }

  async startContainer(id: string): Promise<void> {
    await dockerCall("docker.container.start", { "container.id": id }, async () => {
      try {
        await this.docker.getContainer(id).start();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 304) throw err;
      }
    });
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const { pod } = spec;
    return dockerCall(
      "docker.container.create",
      { "k8s.pod.uid": pod.uid, "k8s.container.name": spec.name, "container.image.name": spec.image },
      async () => {
        const security = dockerSecurity(spec.security);
        const nanoCpus = spec.nanoCpus ? await this.capToHost(spec.nanoCpus) : 0;
        const container = await this.docker.createContainer({
          name: `k8s_${spec.name}_${pod.name}_${pod.namespace}_${pod.uid}_${spec.attempt}`,
          Image: spec.image,
          ...(security.User !== undefined ? { User: security.User } : {}),
          ...(spec.command ? { Entrypoint: spec.command, Cmd: spec.args ?? [] } : {}),
          ...(!spec.command && spec.args ? { Cmd: spec.args } : {}),
          Env: spec.env,
          ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
          Tty: spec.tty,
          OpenStdin: spec.stdin,
          StdinOnce: spec.stdinOnce,
          Labels: {
            ...containerLabels(this.nodeName, pod, spec.name, spec.attempt, "container"),
            [LABEL.hash]: spec.hash,
          },
          HostConfig: {
            NetworkMode: `container:${spec.sandboxId}`,
            IpcMode: `container:${spec.sandboxId}`,
            ...(spec.pidContainerId ? { PidMode: `container:${spec.pidContainerId}` } : {}),
            Privileged: false,
            ...(spec.memoryBytes ? { Memory: spec.memoryBytes, MemorySwap: spec.memoryBytes } : {}),
            ...(nanoCpus ? { NanoCpus: nanoCpus } : {}),
            ...(spec.cpuShares ? { CpuShares: spec.cpuShares } : {}),
            ...(spec.pidsLimit ? { PidsLimit: spec.pidsLimit } : {}),
            ...(spec.mounts?.length ? { Mounts: spec.mounts.map(dockerMount) } : {}),
            ...security.HostConfig,
            LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "2" } },
          },
        });
        return container.id;
      },
    );
  }

  /** A CPU limit above the host's CPUs caps nothing more than they do, and Docker would refuse it. */
  private async capToHost(nanoCpus: number): Promise<number> {
    this.hostCpus ??= this.docker.info().then((info: { NCPU?: number }) => info.NCPU ?? 0);
    const cpus = await this.hostCpus.catch(() => {
      this.hostCpus = undefined;
      return 0;
    });
    return cpus > 0 ? Math.min(nanoCpus, cpus * 1_000_000_000) : nanoCpus;
  }

  /**
   * One cheap sample (`one-shot`: no second read a second later) compared with this container's previous
   * one: CPU is the share of the host's CPU time it used in between, so a container's first sample
   * reports no CPU yet.
   */
  async usage(id: string): Promise<{ cpuNanoCores: number; memoryBytes: number } | undefined> {
    try {
      const s = (await this.docker
        .getContainer(id)
        .stats({ stream: false, "one-shot": true } as never)) as unknown as DockerStats;
      const now = { cpu: s.cpu_stats.cpu_usage.total_usage, system: s.cpu_stats.system_cpu_usage ?? 0 };
      const before = this.cpuSamples.get(id);
      this.cpuSamples.set(id, now);
      // removed containers are never asked again: keep the map from growing with them
      if (this.cpuSamples.size > 2048) this.cpuSamples.clear();
      const cpu = before ? now.cpu - before.cpu : 0;
      const system = before ? now.system - before.system : 0;
      const cpus = s.cpu_stats.online_cpus ?? 1;
      // system_cpu_usage counts every CPU's nanoseconds: the share of it times the CPUs, per second
      const cpuNanoCores = system > 0 && cpu > 0 ? Math.round((cpu / system) * cpus * 1e9) : 0;
      const stats = s.memory_stats.stats ?? {};
      const inactive = stats.inactive_file ?? stats.total_inactive_file ?? 0;
      const memoryBytes = Math.max(0, (s.memory_stats.usage ?? 0) - inactive);
      return { cpuNanoCores, memoryBytes };
    } catch {
      this.cpuSamples.delete(id);
      return undefined;
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    await dockerCall("docker.container.stop", { "container.id": id }, async () => {
      try {
        await this.docker.getContainer(id).stop({ t: Math.max(0, Math.floor(graceSeconds)) });
      } catch (err) {
        const code = (err as { statusCode?: number }).statusCode;
        if (code !== 304 && code !== 404) throw err;
      }
    });
  }

  async removeContainer(id: string): Promise<void> {
    await dockerCall("docker.container.remove", { "container.id": id }, async () => {
      try {
        await this.docker.getContainer(id).remove({ force: true, v: true });
      } catch (err) {
        const code = (err as { statusCode?: number }).statusCode;
        if (code !== 404 && code !== 409) throw err;
      }
    });
  }

  async logs(containerId: string, options: LogOptions): Promise<Readable> {
    const container = this.docker.getContainer(containerId);
    const tty = (await container.inspect()).Config.Tty;
    const common = {
      stdout: true,
      stderr: true,
      timestamps: options.timestamps,
      ...(options.tailLines !== undefined ? { tail: options.tailLines } : {}),
      ...(options.sinceSeconds !== undefined
        ? { since: Math.floor(Date.now() / 1000) - options.sinceSeconds }
        : {}),
    };
    const out = new PassThrough();
    if (options.follow) {
      const stream = (await container.logs({ ...common, follow: true })) as unknown as Readable;
      if (tty) stream.pipe(out);
      else {
        this.docker.modem.demuxStream(stream, out, out);
        stream.on("end", () => out.end());
      }
      out.on("close", () => stream.destroy());
      return out;
    }
    const buffer = (await container.logs({ ...common, follow: false })) as unknown as Buffer;
    out.end(tty ? buffer : demuxFrames(buffer));
    return out;
  }

  async exec(containerId: string, options: ExecOptions): Promise<ExecSession> {
    const container = this.docker.getContainer(containerId);
    const exec = await container.exec({
      Cmd: options.command,
      AttachStdin: options.stdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: options.tty,
    });
    const socket = (await exec.start({
      hijack: true,
      stdin: options.stdin,
      Tty: options.tty,
    })) as unknown as Duplex;
    return this.session(socket, options.tty, {
      resize: (w, h) => exec.resize({ w, h }),
      exitCode: async () => {
        for (let i = 0; i < 50; i++) {
          const info = await exec.inspect();
          if (!info.Running) return info.ExitCode ?? 0;
          await new Promise((r) => setTimeout(r, 20));
        }
        return (await exec.inspect()).ExitCode ?? 0;
      },
    });
  }

  async attach(containerId: string, options: { stdin: boolean; tty: boolean }): Promise<ExecSession> {
    const container = this.docker.getContainer(containerId);
    // the end of the client's input closes the container's stdin only for stdinOnce containers; for the
    // others Docker would instead end this attach's output, so the input is left open, as the kubelet does
    const stdinOnce = (await container.inspect()).Config.StdinOnce;
    const socket = (await container.attach({
      stream: true,
      stdin: options.stdin,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as unknown as Duplex;
    const session = this.session(socket, options.tty, {
      resize: (w, h) => container.resize({ w, h }),
      exitCode: async () => (await container.wait()).StatusCode ?? 0,
    });
    return stdinOnce ? session : { ...session, endInput: () => {} };
  }

  /** A hijacked Docker stream as a session: demultiplexed output, stdin, resize, exit code after the end. */
  private session(
    socket: Duplex,
    tty: boolean,
    control: { resize(w: number, h: number): Promise<unknown>; exitCode(): Promise<number> },
  ): ExecSession {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    if (tty) socket.pipe(stdout);
    else this.docker.modem.demuxStream(socket, stdout, stderr);
    const ended = new Promise<void>((resolve) => {
      socket.on("end", resolve);
      socket.on("close", resolve);
      socket.on("error", () => resolve());
    });
    ended.then(() => {
      stdout.end();
      stderr.end();
    });
    return {
      stdout,
      stderr,
      write: (data) => {
        socket.write(data);
      },
      endInput: () => {
        (socket as unknown as { end(): void }).end();
      },
      resize: async (width, height) => {
        await control.resize(width, height).catch(() => undefined);
      },
      exitCode: async () => {
        await ended;
        return control.exitCode();
      },
    };
  }
}
