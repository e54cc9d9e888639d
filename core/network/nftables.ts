import { formatCidr, parseCidr } from "./cidr";
import type { Allow, Peer, PolicyTable, PortRange } from "./policy-verdict";

/**
 * The table a node's gateway owns in the host's nftables, replaced as a whole on every change: one per
 * node, as several nodes may share a Docker host.
 */
export function firewallTable(node: string): string {
  return `${FIREWALL_TABLE_PREFIX}${node.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

export const FIREWALL_TABLE_PREFIX = "timonier_";

/** One cluster's share of a node's firewall: its bridge there, where its netd lives, and its pods' rules. */
export interface ClusterFirewall {
  /** The Linux bridge of the cluster's Docker network on the node. */
  bridge: string;
  /** netd's addresses (ClusterIPs, kube-dns): traffic to and from them is netd's to judge. */
  serviceRange: string;
  table: PolicyTable;
}

const normal = (cidr: string) => {
  const parsed = parseCidr(cidr);
  return parsed ? formatCidr(parsed) : undefined;
};

function portMatch(range: PortRange): string {
  const proto = range.protocol.toLowerCase();
  if (range.from <= 1 && range.to >= 65535) return `meta l4proto ${proto}`;
  const ports = range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`;
  return `meta l4proto ${proto} th dport ${ports}`;
}

/** `ip daddr` (egress) or `ip saddr` (ingress) matching a peer, or undefined when the peer is malformed. */
function peerMatch(field: string, peer: Peer): string | undefined {
  const cidr = normal(peer.cidr);
  if (!cidr) return undefined;
  const parts = cidr === "0.0.0.0/0" ? ["meta nfproto ipv4"] : [`${field} ${cidr}`];
  for (const e of peer.except ?? []) {
    const except = normal(e);
    if (except) parts.push(`${field} != ${except}`);
  }
  return parts.join(" ");
}

/** A chain that returns for what `allows` let through and drops everything else. */
function allowChain(name: string, field: string, allows: Allow[]): string[] {
  const lines: string[] = [];
  for (const allow of allows)
    for (const peer of allow.peers) {
      const match = peerMatch(field, peer);
      if (!match) continue;
      if (!allow.ports) lines.push(`    ${match} return`);
      else for (const range of allow.ports) lines.push(`    ${match} ${portMatch(range)} return`);
    }
  return [`  chain ${name} {`, ...lines, "    drop", "  }"];
}

/**
 * The nftables ruleset (for `nft -f`) enforcing the clusters' NetworkPolicies on a node: a forward hook
 * on the host, which sees the traffic bridged between pods (br_netfilter, as Docker itself relies on) and
 * routed out of the cluster networks, so nothing inside a pod can change it. Rules hold only on the
 * clusters' own bridges: a table a removed node left behind names bridges that no longer exist. Replies of allowed connections pass; traffic to and from netd
 * passes, netd judging what it proxies itself; an isolated pod's traffic goes through its chain. The
 * table is recreated in the same transaction, so a change applies at once and entirely. Pure.
 */
export function firewallRuleset(table: string, clusters: ClusterFirewall[]): string {
  const replace = [`table inet ${table} {}`, `delete table inet ${table}`];
  // no policies: no table, so the node's traffic pays for no hook at all
  if (clusters.length === 0) return [...replace, ""].join("\n");
  const chains: string[] = [];
  const forward: string[] = [
    "    ct state established,related accept",
    ...clusters.flatMap((c) => {
      const range = normal(c.serviceRange);
      const bridge = JSON.stringify(c.bridge);
      return range
        ? [`    iifname ${bridge} ip saddr ${range} accept`, `    iifname ${bridge} ip daddr ${range} accept`]
        : [];
    }),
  ];
  clusters.forEach((cluster, n) => {
    const bridge = JSON.stringify(cluster.bridge);
    const egress: string[] = [];
    const ingress: string[] = [];
    Object.values(cluster.table).forEach((pod, k) => {
      if (pod.egress) {
        chains.push(...allowChain(`e${n}_${k}`, "ip daddr", pod.egress));
        egress.push(`${pod.ip} : jump e${n}_${k}`);
      }
      if (pod.ingress) {
        chains.push(...allowChain(`i${n}_${k}`, "ip saddr", pod.ingress));
        ingress.push(`${pod.ip} : jump i${n}_${k}`);
      }
    });
    // what leaves the cluster's bridge (to a pod or out of the node), what it delivers to a pod
    if (egress.length) forward.push(`    iifname ${bridge} ip saddr vmap { ${egress.join(", ")} }`);
    if (ingress.length) forward.push(`    oifname ${bridge} ip daddr vmap { ${ingress.join(", ")} }`);
  });
  return [
    ...replace,
    `table inet ${table} {`,
    "  chain forward {",
    "    type filter hook forward priority filter - 5; policy accept;",
    ...forward,
    "  }",
    ...chains,
    "}",
    "",
  ].join("\n");
}
