import { type Cidr, cidrSize, formatCidr, formatIp, parseCidr, parseIp } from "./cidr";

/**
 * The addresses of one virtual cluster, derived from the one block the platform gives it: the lower half
 * holds pod IPs (Docker allocates them), the upper half is the Service range (the API allocates ClusterIPs
 * there, and the cluster's netd container answers for them on the same link). The block is the same on
 * every node, so a ClusterIP means the same thing wherever the cluster's pods run.
 */
export interface ClusterNetwork {
  cidr: string;
  gateway: string;
  podRange: string;
  serviceRange: string;
  /** ClusterIP of `default/kubernetes`, as kubeadm takes the first address of the range. */
  kubernetesIp: string;
  /** ClusterIP of `kube-system/kube-dns`, the address pods use as their name server. */
  dnsIp: string;
}

export function clusterNetwork(cidr: string): ClusterNetwork {
  const block = parseCidr(cidr);
  if (!block || block.bits > 28) throw new Error(`invalid cluster network ${cidr}`);
  const half: Cidr = { base: block.base, bits: block.bits + 1 };
  const services: Cidr = { base: block.base + 2 ** (31 - block.bits), bits: block.bits + 1 };
  return {
    cidr: formatCidr(block),
    gateway: formatIp(block.base + 1),
    podRange: formatCidr(half),
    serviceRange: formatCidr(services),
    kubernetesIp: formatIp(services.base + 1),
    dnsIp: formatIp(services.base + 10),
  };
}

/** The addresses of the Service range a ClusterIP may take (not the range's first and last). */
export function serviceAddresses(network: ClusterNetwork): { first: number; last: number } {
  const range = parseCidr(network.serviceRange) as Cidr;
  return { first: range.base + 1, last: range.base + 2 ** (32 - range.bits) - 2 };
}

/**
 * Whether `ip` may be a pod of the cluster whose pod range is `podRange`: inside it, and neither its
 * network address, its broadcast address nor the bridge's gateway (the node itself, base + 1).
 */
export function isPodAddress(podRange: string, ip: string): boolean {
  const range = parseCidr(podRange);
  const n = parseIp(ip);
  if (!range || n === undefined) return false;
  const offset = n - range.base;
  return offset > 1 && offset < cidrSize(range) - 1;
}
