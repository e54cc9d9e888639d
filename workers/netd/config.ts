import type { PolicyTable } from "../../core/network/policy-verdict";

/**
 * What a netd container is told to do: the addresses to answer for, the TCP/UDP rules to proxy, and the
 * DNS zone to serve. The node agent computes it (workers/node-agent/network-plan.ts) and copies it into the
 * container through the Docker API; netd applies each new version as a whole.
 */
export interface NetdConfig {
  /** Extra addresses (ClusterIPs) the container holds on its interface, so that the link delivers them here. */
  addresses: string[];
  rules: ProxyRule[];
  dns?: DnsZone;
  http?: HttpGateway;
  /** A cluster's NetworkPolicies by pod address: what it proxies and the DNS queries it answers obey them. */
  policy?: PolicyTable;
  /** The gateway's nftables ruleset for the node's host, enforcing NetworkPolicy between pods. */
  firewall?: string;
}

export interface Backend {
  ip: string;
  port: number;
}

/** Traffic to `ip:port` goes to one of the ready backends; none ready refuses the connection. */
export interface ProxyRule {
  /** For logs: `namespace/service:port`. */
  name: string;
  /** `0.0.0.0` listens on every address of the host (NodePorts). */
  ip: string;
  port: number;
  protocol: "TCP" | "UDP";
  backends: Backend[];
  /** The owning cluster's pod range: netd drops any backend outside it, whatever it was told. */
  allowed: string;
  /** sessionAffinity ClientIP: a client sticks to its backend for this long. */
  affinitySeconds?: number;
}

export interface DnsRecord {
  a?: string[];
  cname?: string;
  srv?: { priority: number; weight: number; port: number; target: string }[];
}

export interface DnsZone {
  /** Address the server binds (the kube-dns ClusterIP). */
  listen: string;
  /** `cluster.local`: names under it are answered here with authority; others go upstream. */
  domain: string;
  /** Lower-case names without the final dot. */
  records: Record<string, DnsRecord>;
}

/** Ingress: HTTP requests routed by host and path to backends. */
export interface HttpGateway {
  port: number;
  routes: HttpRoute[];
  tls?: { port: number; certificates: Certificate[] };
}

/** A PEM certificate and key for the hosts (same patterns as routes) it was declared for. */
export interface Certificate {
  hosts: string[];
  cert: string;
  key: string;
}

export interface HttpRoute {
  /** Exact host, `*.suffix` (one label), `.suffix` (any host below and the suffix itself), or any host. */
  host?: string;
  path: string;
  pathType: "Exact" | "Prefix" | "ImplementationSpecific";
  backends: Backend[];
  /** As ProxyRule's: backends outside this range are dropped. */
  allowed: string;
}
