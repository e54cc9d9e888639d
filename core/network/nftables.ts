import { formatCidr, parseCidr } from "./cidr";
import type { Allow, Peer, PolicyTable, PortRange } from "./policy-verdict";

/** The table a node's gateway owns in the host's nftables; replaced as a whole on every change. */
export const FIREWALL_TABLE = "timonier";

/** One cluster's share of a node's firewall: where its netd lives, and its pods' rules. */
export interface ClusterFirewall {
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
 * on the host, which sees the traffic bridged between pods and routed out of the cluster networks, so
 * nothing inside a pod can change it. Replies of allowed connections pass; traffic to and from netd
 * passes, netd judging what it proxies itself; an isolated pod's traffic goes through its chain. The
 * table is recreated in the same transaction, so a change applies at once and entirely. Pure.
 */
export function firewallRuleset(clusters: ClusterFirewall[]): string {
  const chains: string[] = [];
  const forward: string[] = [
    "    ct state established,related accept",
    ...clusters.flatMap((c) => {
      const range = normal(c.serviceRange);
      return range ? [`    ip saddr ${range} accept`, `    ip daddr ${range} accept`] : [];
    }),
  ];
  clusters.forEach((cluster, n) => {
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
    // a pod's address is its cluster's alone: the pool never hands out a block twice
    if (egress.length) forward.push(`    ip saddr vmap { ${egress.join(", ")} }`);
    if (ingress.length) forward.push(`    ip daddr vmap { ${ingress.join(", ")} }`);
  });
  return [
    `table inet ${FIREWALL_TABLE} {}`,
    `delete table inet ${FIREWALL_TABLE}`,
    `table inet ${FIREWALL_TABLE} {`,
    "  chain forward {",
    "    type filter hook forward priority filter - 5; policy accept;",
    ...forward,
    "  }",
    ...chains,
    "}",
    "",
  ].join("\n");
}
