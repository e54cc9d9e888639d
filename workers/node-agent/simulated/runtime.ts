import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { PassThrough, Readable } from "node:stream";
import type { ClusterNetwork } from "../../../core/network/cluster-network";
import {
  type ClusterLink,
  type ContainerSpec,
  containerLabels,
  type ExecSession,
  LABEL,
  type ObservedContainer,
  type ObservedPod,
  type PodRuntime,
  type SandboxSpec,
} from "../runtime";
import { PodAddresses } from "./addresses";

/** A container's env that has it exit on its own once started, as a Job's pod does: `<code>`. */
export const EXIT_ENV = "TIMONIER_SIMULATED_EXIT";
/** How long such a container runs first, in ms (0 by default). */
export const EXIT_AFTER_ENV = "TIMONIER_SIMULATED_EXIT_AFTER_MS";

/** When and how a simulated container ends on its own, from its env (`NAME=value` entries); never by default. */
export function plannedExit(env: readonly string[]): { code: number; afterMs: number } | undefined {
  const value = (name: string) => env.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1);
  const code = Number(value(EXIT_ENV) ?? Number.NaN);
  if (!Number.isInteger(code) || code < 0 || code > 255) return undefined;
  const afterMs = Number(value(EXIT_AFTER_ENV) ?? 0);
  return { code, afterMs: Number.isFinite(afterMs) && afterMs > 0 ? afterMs : 0 };
}

/** What a simulated engine tells of its containers, as Docker's event stream: a start or an end. */
export interface ContainerEvent {
  action: "start" | "die";
  labels: Record<string, string>;
}

interface Held {
  labels: Record<string, string>;
  observed: ObservedContainer;
  /** The sandbox's network, where its address comes from. */
  networkId?: string;
  wantedIp?: string;
  exit?: { code: number; afterMs: number };
  timer?: NodeJS.Timeout;
}

/** RFC 3339 to the second, as the Docker runtime reports container times. */
const stamp = (now: Date) => now.toISOString().replace(/\.\d+Z$/, "Z");

/** A command that ends at once with nothing to say: what exec, attach and exec probes get here. */
function silentSession(): ExecSession {
  return {
    stdout: Readable.from([]),
    stderr: Readable.from([]),
    write: () => {},
    endInput: () => {},
    resize: async () => {},
    exitCode: async () => 0,
  };
}

/**
 * The pods of a simulated node, held in memory as a kubelet without a container runtime would (as kwok
 * does): sandboxes get an address from their cluster's pod range when they start, containers start at
 * once and run until stopped, or end on their own when their env says so (EXIT_ENV). Volumes and files
 * are accepted and dropped, exec succeeds silently, logs are empty. Each start and end is told to
 * `events`, as Docker's event stream tells the real agent.
 */
export class SimulatedRuntime implements PodRuntime {
  readonly events = new EventEmitter<{ container: [ContainerEvent] }>();
  private readonly containers = new Map<string, Held>();
  private readonly networks = new Map<string, PodAddresses>();

  constructor(
    private readonly nodeName: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.events.setMaxListeners(0);
  }

  async ensureNetwork(clusterId: string, network: ClusterNetwork): Promise<ClusterLink> {
    const id = networkIdOf(clusterId);
    if (!this.networks.has(id)) this.networks.set(id, new PodAddresses(network.podRange));
    return { id, overlay: false };
  }

  async inSwarm(): Promise<boolean> {
    return false;
  }

  async removeNetwork(clusterId: string): Promise<void> {
    this.networks.delete(networkIdOf(clusterId));
  }

  async listPods(filter: Record<string, string> = {}): Promise<Map<string, ObservedPod>> {
    const pods = new Map<string, ObservedPod>();
    for (const held of this.containers.values()) {
      if (!Object.entries(filter).every(([k, v]) => held.labels[k] === v)) continue;
      const uid = held.labels[LABEL.podUid] ?? "";
      let pod = pods.get(uid);
      if (!pod) {
        pod = {
          pod: {
            clusterId: held.labels[LABEL.cluster] ?? "",
            namespace: held.labels[LABEL.namespace] ?? "",
            name: held.labels[LABEL.pod] ?? "",
            uid,
          },
          sandboxes: [],
          containers: [],
        };
        pods.set(uid, pod);
      }
      (held.observed.name === "POD" ? pod.sandboxes : pod.containers).push({ ...held.observed });
    }
    return pods;
  }

  async hasImage(): Promise<boolean> {
    return true;
  }

  async imageUser(): Promise<string> {
    return "";
  }

  async createSandbox(spec: SandboxSpec): Promise<string> {
    if (!this.networks.has(spec.networkId)) throw new Error(`network ${spec.networkId} not found`);
    return this.create(containerLabels(this.nodeName, spec.pod, "POD", spec.attempt, "sandbox"), "", {
      networkId: spec.networkId,
      ...(spec.ip ? { wantedIp: spec.ip } : {}),
    });
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const labels = {
      ...containerLabels(this.nodeName, spec.pod, spec.name, spec.attempt, "container"),
      [LABEL.hash]: spec.hash,
    };
    const exit = plannedExit(spec.env);
    return this.create(labels, spec.image, exit ? { exit } : {});
  }

  private create(labels: Record<string, string>, image: string, extra: Partial<Held>): string {
    const id = randomBytes(32).toString("hex");
    const observed: ObservedContainer = {
      id,
      name: labels[LABEL.container] ?? "",
      attempt: Number(labels[LABEL.attempt] ?? 0),
      hash: labels[LABEL.hash] ?? "",
      image,
      imageId: image ? `simulated://${image}` : "",
      state: "created",
      exitCode: 0,
      oomKilled: false,
    };
    this.containers.set(id, { labels, observed, ...extra });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const held = this.found(id);
    if (held.observed.state === "running") return;
    if (held.networkId) {
      const ip = this.networks.get(held.networkId)?.take(held.wantedIp);
      if (!ip) throw new Error(`no free address on network ${held.networkId}`);
      held.observed.ip = ip;
    }
    held.observed = {
      ...held.observed,
      state: "running",
      exitCode: 0,
      startedAt: stamp(this.now()),
    };
    delete held.observed.finishedAt;
    this.events.emit("container", { action: "start", labels: held.labels });
    const { exit } = held;
    if (exit) held.timer = setTimeout(() => this.end(held, exit.code), exit.afterMs).unref();
  }

  async stopContainer(id: string): Promise<void> {
    const held = this.containers.get(id);
    if (held?.observed.state === "running") this.end(held, 0);
  }

  async removeContainer(id: string): Promise<void> {
    const held = this.containers.get(id);
    if (!held) return;
    if (held.observed.state === "running") this.end(held, 137);
    this.containers.delete(id);
  }

  private end(held: Held, exitCode: number): void {
    clearTimeout(held.timer);
    const { ip, ...rest } = held.observed;
    if (ip && held.networkId) this.networks.get(held.networkId)?.release(ip);
    held.observed = { ...rest, state: "exited", exitCode, finishedAt: stamp(this.now()) };
    this.events.emit("container", { action: "die", labels: held.labels });
  }

  private found(id: string): Held {
    const held = this.containers.get(id);
    if (!held) throw Object.assign(new Error(`no such container: ${id}`), { statusCode: 404 });
    return held;
  }

  async ensureVolume(): Promise<void> {}

  async removeVolumes(): Promise<void> {}

  async putFiles(id: string): Promise<void> {
    this.found(id);
  }

  async logs(): Promise<Readable> {
    const out = new PassThrough();
    out.end();
    return out;
  }

  async exec(id: string): Promise<ExecSession> {
    this.found(id);
    return silentSession();
  }

  async attach(id: string): Promise<ExecSession> {
    this.found(id);
    return silentSession();
  }

  async usage(): Promise<undefined> {
    return undefined;
  }
}

function networkIdOf(clusterId: string): string {
  return `simulated-${clusterId}`;
}
