import type { Pod } from "../../core/k8s/types";

export interface PodDns {
  servers: string[];
  searches: string[];
  options: string[];
}

interface DnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

export const CLUSTER_DOMAIN = "cluster.local";

/**
 * The resolver configuration of a pod as the kubelet writes it: ClusterFirst points at the cluster's DNS
 * with Kubernetes' search path and ndots:5, `None` takes only `dnsConfig`, `Default` keeps the node's
 * (undefined: Docker's own) unless `dnsConfig` adds to it. Pure.
 */
export function podDns(pod: Pod, clusterDnsIp: string): PodDns | undefined {
  const policy = (pod.spec.dnsPolicy as string | undefined) ?? "ClusterFirst";
  const config = (pod.spec.dnsConfig as DnsConfig | undefined) ?? {};
  const namespace = pod.metadata.namespace ?? "default";
  let base: PodDns | undefined;
  if (policy === "ClusterFirst" || policy === "ClusterFirstWithHostNet") {
    base = {
      servers: [clusterDnsIp],
      searches: [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN],
      options: ["ndots:5"],
    };
  } else if (policy === "None" || config.nameservers || config.searches || config.options) {
    base = { servers: [], searches: [], options: [] };
  }
  if (!base) return undefined;
  const options = new Map(base.options.map((o) => [o.split(":")[0] as string, o]));
  for (const o of config.options ?? [])
    options.set(o.name, o.value === undefined ? o.name : `${o.name}:${o.value}`);
  return {
    servers: [...base.servers, ...(config.nameservers ?? [])].slice(0, 3),
    searches: [...new Set([...base.searches, ...(config.searches ?? [])])].slice(0, 32),
    options: [...options.values()],
  };
}
