import type { Ingress } from "../../core/k8s/services/ingress";
import type { EndpointSlice, Service } from "../../core/k8s/services/types";
import type { KubeObject } from "../../core/k8s/types";
import type { ClusterNetwork } from "../../core/network/cluster-network";
import { clusterIngressDomain, type IngressSettings } from "../../core/network/ingress-hosts";
import { type ClusterFirewall, firewallRuleset, firewallTable } from "../../core/network/nftables";
import type { Logger } from "../../core/telemetry";
import type { ClusterRepository } from "../../db/clusters";
import type { ClusterNetworks } from "../../db/networks";
import type { ObjectStore } from "../../db/store";
import type { Certificate, HttpRoute, Route } from "../netd/config";
import type { Result } from "../shell";
import type { HelperRuntime } from "./helpers";
import type { InClusterApi } from "./in-cluster-api";
import {
  type ClusterServices,
  clusterNetdConfig,
  gatewayConfig,
  ingressCertificates,
  ingressRoutes,
} from "./network-plan";
import { clusterPolicyTable } from "./policy-plan";
import type { PodRuntime } from "./runtime";

/**
 * A node's share of the cluster networks: the Docker network and netd of each cluster with pods here, and
 * the node's gateway; each told its configuration whenever the cluster's Services or endpoints change.
 */
export class NodeNetwork {
  /** What each helper container was last told, by container id: an unchanged configuration is not resent. */
  private readonly told = new Map<string, string>();
  private readonly netds = new Map<string, Promise<string>>();

  constructor(
    private readonly o: {
      store: ObjectStore;
      networks: ClusterNetworks;
      runtime: PodRuntime;
      helpers: HelperRuntime;
      clusters: Pick<ClusterRepository, "get">;
      ingress: IngressSettings;
      /** Each cluster's own API at its `kubernetes` Service; none when absent. */
      api?: InClusterApi;
      logger: Logger;
      nodeName: string;
    },
  ) {}

  /** The cluster's network on this node, with its netd running and configured: before its pods start. */
  async ensureCluster(clusterId: string): Promise<string> {
    const network = await this.o.networks.of(clusterId);
    const link = await this.o.runtime.ensureNetwork(clusterId, network);
    let netd = this.netds.get(clusterId);
    if (!netd) {
      const ip = link.overlay ? undefined : network.dnsIp;
      netd = this.o.helpers.ensureNetd(clusterId, ip).then(async (id) => {
        await this.configure(id, await this.netdConfig(clusterId, network, link.overlay));
        return id;
      });
      this.netds.set(clusterId, netd);
      netd.catch(() => this.netds.delete(clusterId));
    }
    await netd;
    return link.id;
  }

  /** Reconfigures the cluster's netd; recreates it when it vanished while the cluster has pods here. */
  async syncCluster(clusterId: string, hasPods: boolean): Promise<Result> {
    let id = await this.o.helpers.findNetd(clusterId);
    if (!id && hasPods) {
      this.netds.delete(clusterId);
      await this.ensureCluster(clusterId);
      id = await this.o.helpers.findNetd(clusterId);
    }
    if (!id) return {};
    const network = await this.o.networks.of(clusterId);
    const { overlay } = await this.o.runtime.ensureNetwork(clusterId, network);
    await this.configure(id, await this.netdConfig(clusterId, network, overlay));
    return {};
  }

  /** The cluster's Services and DNS, and its NetworkPolicies for what netd proxies and answers. */
  private async netdConfig(clusterId: string, network: ClusterNetwork, overlay: boolean): Promise<string> {
    const kubeApi = await this.o.api?.forCluster(clusterId, network);
    const config = clusterNetdConfig(network, await this.services(clusterId), kubeApi, overlay);
    const { items } = await this.o.store.list({
      clusterId,
      group: "networking.k8s.io",
      resource: "networkpolicies",
    });
    const policy = await this.policyTable(clusterId, network, items);
    return JSON.stringify(Object.keys(policy).length ? { ...config, policy } : config);
  }

  /** The policies resolved against the cluster's pods and namespaces (nothing to read without policies). */
  private async policyTable(clusterId: string, network: ClusterNetwork, policies: KubeObject[]) {
    if (!policies.length) return {};
    const [pods, namespaces] = await Promise.all([
      this.o.store.list({ clusterId, group: "", resource: "pods" }),
      this.o.store.list({ clusterId, group: "", resource: "namespaces" }),
    ]);
    return clusterPolicyTable(network, { policies, pods: pods.items, namespaces: namespaces.items });
  }

  /** The host's firewall: every cluster with NetworkPolicies and a network here, each pod's rules by address. */
  private async firewall(): Promise<string> {
    const byCluster = new Map<string, KubeObject[]>();
    for (const { clusterId, object } of await this.o.store.everywhere("networking.k8s.io", "networkpolicies"))
      byCluster.set(clusterId, [...(byCluster.get(clusterId) ?? []), object]);
    const clusters: ClusterFirewall[] = [];
    for (const [clusterId, policies] of [...byCluster].sort(([a], [b]) => a.localeCompare(b))) {
      const bridge = await this.o.helpers.bridgeOf(clusterId);
      // a cluster being deleted may have lost its network already: its pods are going too
      const network = bridge ? await this.o.networks.of(clusterId).catch(() => undefined) : undefined;
      if (!bridge || !network) continue;
      const table = await this.policyTable(clusterId, network, policies);
      clusters.push({ bridge, serviceRange: network.serviceRange, table });
    }
    return firewallRuleset(firewallTable(this.o.nodeName), clusters);
  }

  /** NodePorts, LoadBalancer addresses and Ingress routes of every cluster, on this node's gateway. */
  async syncGateway(): Promise<Result> {
    const id = await this.o.helpers.ensureGateway();
    const [exposed, ingresses] = await Promise.all([
      this.o.store.exposedServices(),
      this.o.store.everywhere("networking.k8s.io", "ingresses"),
    ]);
    const byCluster = new Map<string, { services: Service[]; ingresses: Ingress[] }>();
    const entry = (clusterId: string) => {
      const found = byCluster.get(clusterId) ?? { services: [], ingresses: [] };
      byCluster.set(clusterId, found);
      return found;
    };
    for (const { clusterId, object } of exposed) entry(clusterId).services.push(object as Service);
    for (const { clusterId, object } of ingresses) entry(clusterId).ingresses.push(object as Ingress);
    const all: ClusterServices[] = [];
    const routes: HttpRoute[] = [];
    const certificates: Certificate[] = [];
    for (const [clusterId, found] of byCluster) {
      // Ingress backends may be any Service of the cluster, not only the exposed ones
      const cluster = found.ingresses.length
        ? await this.services(clusterId)
        : {
            services: found.services,
            slices: await this.slices(clusterId),
            podRange: (await this.o.networks.of(clusterId)).podRange,
          };
      all.push(cluster);
      const row = found.ingresses.length ? await this.o.clusters.get(clusterId) : undefined;
      if (!row) continue;
      const domain = clusterIngressDomain(row, this.o.ingress.domain);
      routes.push(...ingressRoutes(domain, found.ingresses, cluster));
      certificates.push(
        ...ingressCertificates(domain, found.ingresses, await this.secretsFor(clusterId, found.ingresses)),
      );
    }
    const tls = certificates.length ? { tls: { port: this.o.ingress.tlsPort, certificates } } : {};
    const overlayRoutes = (await this.o.runtime.inSwarm())
      ? await this.overlayRoutes([...byCluster.keys()])
      : undefined;
    await this.configure(
      id,
      JSON.stringify({
        ...gatewayConfig(
          all,
          { port: this.o.ingress.port, routes, ...tls },
          this.o.api?.gatewayTarget(),
          overlayRoutes,
        ),
        firewall: await this.firewall(),
      }),
    );
    return {};
  }

  /**
   * On a Swarm's node, the way from the gateway to overlay clusters' pods on any node: each pod range
   * through the cluster's netd here. A cluster exposed from this node (NodePort, LoadBalancer, Ingress) gets
   * its netd here even without pods of its own here, as every node serves every NodePort.
   */
  private async overlayRoutes(exposed: string[]): Promise<Route[]> {
    for (const clusterId of exposed) {
      const row = await this.o.clusters.get(clusterId);
      if (!row || row.phase === "Sleeping") continue;
      await this.ensureCluster(clusterId).catch((e: Error) =>
        this.o.logger.warn("cluster network for the gateway failed", { clusterId, error: e.message }),
      );
    }
    const routes: Route[] = [];
    for (const clusterId of await this.o.helpers.netdClusters()) {
      const id = await this.o.helpers.findNetd(clusterId);
      const via = id ? await this.o.helpers.relayAddress(id) : undefined;
      const network = via ? await this.o.networks.of(clusterId).catch(() => undefined) : undefined;
      if (via && network) routes.push({ to: network.podRange, via });
    }
    return routes;
  }

  /** netds of clusters that no longer exist (deleted while this agent was away) go, as orphan pods do. */
  async collectOrphans(): Promise<void> {
    for (const clusterId of await this.o.helpers.netdClusters())
      if (!(await this.o.clusters.get(clusterId))) await this.removeCluster(clusterId);
  }

  async removeCluster(clusterId: string): Promise<void> {
    this.netds.delete(clusterId);
    await this.o.helpers.removeNetd(clusterId);
  }

  private async configure(id: string, config: string): Promise<void> {
    if (this.told.get(id) === config) return;
    await this.o.helpers.pushConfig(id, config);
    this.told.set(id, config);
  }

  private async services(clusterId: string): Promise<ClusterServices> {
    const { items } = await this.o.store.list({ clusterId, group: "", resource: "services" });
    const { podRange } = await this.o.networks.of(clusterId);
    return { services: items as Service[], slices: await this.slices(clusterId), podRange };
  }

  /** The Secrets the Ingresses' `tls` entries name. */
  private async secretsFor(clusterId: string, ingresses: Ingress[]): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    for (const ing of ingresses)
      for (const entry of ing.spec.tls ?? []) {
        if (!entry.secretName) continue;
        const key = {
          clusterId,
          group: "",
          resource: "secrets",
          namespace: ing.metadata.namespace ?? "",
          name: entry.secretName,
        };
        const secret = await this.o.store.get(key);
        if (secret) out.push(secret);
      }
    return out;
  }

  private async slices(clusterId: string): Promise<EndpointSlice[]> {
    const { items } = await this.o.store.list({
      clusterId,
      group: "discovery.k8s.io",
      resource: "endpointslices",
    });
    return items as EndpointSlice[];
  }
}
