import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import type { HelperRuntime } from "../helpers";
import type { ContainerEvent, SimulatedRuntime } from "./runtime";

/** The DOCKER_HOST of a node without an engine, whose pods are simulated (benches and tests only). */
export const SIMULATED_SCHEME = "simulated://";

export function isSimulatedHost(dockerHost: string): boolean {
  return dockerHost.startsWith(SIMULATED_SCHEME);
}

type DockerInfo = Awaited<ReturnType<Docker["info"]>>;

/** What a simulated node reports of its host: room for a large class of simulated pods. */
export function simulatedInfo(nodeName: string): DockerInfo {
  return {
    ID: `simulated-${nodeName}`,
    NCPU: 64,
    MemTotal: 256 * 1024 ** 3,
    KernelVersion: "simulated",
    OperatingSystem: "Timonier simulated node",
    ServerVersion: "simulated",
    Architecture: "x86_64",
  } as DockerInfo;
}

/** The engine calls the agent makes of its host (info, ping, events), answered by a simulated runtime. */
export class SimulatedEngine implements Pick<Docker, "info" | "ping" | "getEvents"> {
  constructor(
    private readonly nodeName: string,
    private readonly runtime: SimulatedRuntime,
  ) {}

  async info(): Promise<DockerInfo> {
    return simulatedInfo(this.nodeName);
  }

  async ping(): Promise<Buffer> {
    return Buffer.from("OK");
  }

  /** Docker's event stream for the runtime's containers: one JSON line per start or end, labels as attributes. */
  async getEvents(): Promise<NodeJS.ReadableStream> {
    const stream = new PassThrough();
    const tell = (e: ContainerEvent) =>
      stream.write(`${JSON.stringify({ status: e.action, Actor: { Attributes: e.labels } })}\n`);
    this.runtime.events.on("container", tell);
    stream.on("close", () => this.runtime.events.off("container", tell));
    return stream;
  }
}

/** The platform's helpers on a simulated node: netds and a gateway that exist by name and take any configuration. */
export class SimulatedHelpers implements HelperRuntime {
  private readonly netds = new Set<string>();

  async ensureNetd(clusterId: string): Promise<string> {
    this.netds.add(clusterId);
    return `netd-${clusterId}`;
  }

  async findNetd(clusterId: string): Promise<string | undefined> {
    return this.netds.has(clusterId) ? `netd-${clusterId}` : undefined;
  }

  async relayAddress(): Promise<string | undefined> {
    return undefined;
  }

  async netdClusters(): Promise<string[]> {
    return [...this.netds];
  }

  async removeNetd(clusterId: string): Promise<void> {
    this.netds.delete(clusterId);
  }

  async ensureGateway(): Promise<string> {
    return "gateway";
  }

  async bridgeOf(): Promise<string | undefined> {
    return undefined;
  }

  async pushConfig(): Promise<void> {}
}
