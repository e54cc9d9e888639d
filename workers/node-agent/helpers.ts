import type Docker from "dockerode";
import { API_RELAY_DIR } from "../netd/config";
import { tarOf } from "./archive";
import { dockerCall, networkName } from "./docker-runtime";
import { LABEL } from "./runtime";

/** Its tag changes with the contract between the agent and netd (here: the overlay relay and the gateway's routes). */
export const NETD_IMAGE = "timonier/netd:3";
const CONFIG_DIR = "/etc/timonier";
const CONFIG_FILE = "netd.json";
/** The bridge Docker connects every overlay endpoint to, for its traffic off the overlay. */
const GWBRIDGE = "docker_gwbridge";

/**
 * The platform's own containers on a Docker host: a netd per cluster network (ClusterIPs, DNS) and one
 * gateway per node on the host network (NodePorts, LoadBalancers, Ingress, the NetworkPolicy firewall).
 * Both restart with the engine. They share one Docker volume of the node, which holds the gateway's API
 * relay socket (netd/api-relay.ts).
 */
export interface HelperRuntime {
  /**
   * The running netd of a cluster, created on the cluster's network if missing: at `ip` on a bridge; on an
   * overlay at an address the Swarm gives, forwarding the node's traffic to the overlay. Its container id.
   */
  ensureNetd(clusterId: string, ip: string | undefined): Promise<string>;
  /** A netd's address on the node's docker_gwbridge (overlay networks' way out), where the node reaches it. */
  relayAddress(containerId: string): Promise<string | undefined>;
  findNetd(clusterId: string): Promise<string | undefined>;
  /** The clusters that have a netd on this node. */
  netdClusters(): Promise<string[]>;
  removeNetd(clusterId: string): Promise<void>;
  ensureGateway(): Promise<string>;
  /** The Linux bridge of the cluster's Docker network on this node, if it has one. */
  bridgeOf(clusterId: string): Promise<string | undefined>;
  /** Copies a configuration in; netd notices and applies it. */
  pushConfig(containerId: string, config: string): Promise<void>;
}

const status = (err: unknown) => (err as { statusCode?: number }).statusCode;

export class DockerHelpers implements HelperRuntime {
  constructor(
    private readonly docker: Docker,
    private readonly nodeName: string,
  ) {}

  private netdName(clusterId: string): string {
    return `timonier-netd-${this.nodeName}-${clusterId}`;
  }

  /** The node's API relay volume, made (labelled as the node's) before a container mounts it. */
  private async relayMount(readOnly: boolean): Promise<Docker.MountSettings> {
    const name = `timonier-api-relay-${this.nodeName}`;
    await this.docker.createVolume({ Name: name, Labels: { [LABEL.node]: this.nodeName } });
    return { Type: "volume", Source: name, Target: API_RELAY_DIR, ReadOnly: readOnly };
  }

  /** The container's id if it runs the current image (started when stopped), or undefined when absent. */
  private async running(name: string): Promise<string | undefined> {
    try {
      const info = await this.docker.getContainer(name).inspect();
      const image = await this.docker.getImage(NETD_IMAGE).inspect();
      if (info.Image !== image.Id) {
        // built from an older netd: replaced by one from the current image
        await this.docker.getContainer(info.Id).remove({ force: true });
        return undefined;
      }
      if (!info.State.Running)
        await this.docker
          .getContainer(info.Id)
          .start()
          .catch((err: unknown) => {
            // started meanwhile (by its restart policy, or a concurrent call)
            if (status(err) !== 304) throw err;
          });
      return info.Id;
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw err;
    }
  }

  private async create(name: string, options: Docker.ContainerCreateOptions): Promise<string> {
    return dockerCall("docker.helper.create", { "container.name": name }, async () => {
      try {
        const container = await this.docker.createContainer({ name, ...options });
        await container.start();
        return container.id;
      } catch (err) {
        if (status(err) !== 409) throw err;
        return (await this.running(name)) ?? Promise.reject(err);
      }
    });
  }

  async findNetd(clusterId: string): Promise<string | undefined> {
    return this.running(this.netdName(clusterId));
  }

  async ensureNetd(clusterId: string, ip: string | undefined): Promise<string> {
    const name = this.netdName(clusterId);
    const existing = await this.running(name);
    if (existing) return existing;
    const network = networkName(clusterId);
    return this.create(name, {
      Image: NETD_IMAGE,
      Env: ["NETD_MODE=cluster"],
      Labels: { [LABEL.node]: this.nodeName, [LABEL.cluster]: clusterId, [LABEL.role]: "netd" },
      HostConfig: {
        NetworkMode: network,
        Mounts: [await this.relayMount(true)],
        CapAdd: ["NET_ADMIN"],
        // on an overlay, the node's gateway routes the cluster's pod range through netd (netd/relay.ts)
        ...(ip ? {} : { Sysctls: { "net.ipv4.ip_forward": "1" } }),
        RestartPolicy: { Name: "unless-stopped" },
        Memory: 128 * 1024 * 1024,
        LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "1" } },
      },
      ...(ip
        ? { NetworkingConfig: { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: ip } } } } }
        : {}),
    });
  }

  async relayAddress(containerId: string): Promise<string | undefined> {
    try {
      const info = (await this.docker.getNetwork(GWBRIDGE).inspect()) as {
        Containers?: Record<string, { IPv4Address?: string }>;
      };
      return info.Containers?.[containerId]?.IPv4Address?.split("/")[0] || undefined;
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw err;
    }
  }

  async netdClusters(): Promise<string[]> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.node}=${this.nodeName}`, `${LABEL.role}=netd`] },
    });
    return list.map((c) => c.Labels[LABEL.cluster] ?? "").filter(Boolean);
  }

  async removeNetd(clusterId: string): Promise<void> {
    try {
      await this.docker.getContainer(this.netdName(clusterId)).remove({ force: true });
    } catch (err) {
      if (status(err) !== 404) throw err;
    }
  }

  async ensureGateway(): Promise<string> {
    const name = `timonier-gateway-${this.nodeName}`;
    const existing = await this.running(name);
    if (existing) return existing;
    return this.create(name, {
      Image: NETD_IMAGE,
      Env: ["NETD_MODE=gateway"],
      Labels: { [LABEL.node]: this.nodeName, [LABEL.role]: "gateway" },
      HostConfig: {
        NetworkMode: "host",
        Mounts: [await this.relayMount(false)],
        // the host's nftables: NetworkPolicy between the pods of the node's cluster bridges
        CapAdd: ["NET_ADMIN"],
        RestartPolicy: { Name: "unless-stopped" },
        Memory: 256 * 1024 * 1024,
        LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "1" } },
      },
    });
  }

  async bridgeOf(clusterId: string): Promise<string | undefined> {
    try {
      const info = await this.docker.getNetwork(networkName(clusterId)).inspect();
      return info.Options?.["com.docker.network.bridge.name"] ?? `br-${String(info.Id).slice(0, 12)}`;
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw err;
    }
  }

  async pushConfig(containerId: string, config: string): Promise<void> {
    await dockerCall("docker.helper.configure", { "container.id": containerId }, async () => {
      await this.docker
        .getContainer(containerId)
        .putArchive(await tarOf([{ name: CONFIG_FILE, content: config }]), { path: CONFIG_DIR });
    });
  }
}
