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
  /** A cluster's netd: the cluster's own Kubernetes API, served at its `kubernetes` Service. */
  kubeApi?: KubeApi;
  /** The node's gateway: where the API relay's socket leads (the platform API's host and port). */
  apiRelay?: { host: string; port: number };
  /** A cluster's NetworkPolicies by pod address: what it proxies and the DNS queries it answers obey them. */
  policy?: PolicyTable;
  /** The gateway's nftables ruleset for the node's host, enforcing NetworkPolicy between pods. */
  firewall?: string;
  /** A cluster's netd on an overlay network: it forwards the node's traffic to the overlay (relay.ts). */
  relay?: boolean;
  /** The node's gateway: each overlay cluster's pod range, routed through its netd on this node. */
  routes?: Route[];
}

export interface Route {
  /** A pod range (CIDR). */
  to: string;
  via: string;
}

/**
 * The API relay's socket, on a Docker volume that only the node's gateway and the clusters' netds mount:
 * a cluster's netd reaches the platform's API through it, with no address of the host open to pods.
 */
export const API_RELAY_DIR = "/run/timonier/api";
export const API_RELAY_SOCKET = `${API_RELAY_DIR}/api.sock`;

/**
 * The cluster's Kubernetes API for its pods: HTTPS with the in-cluster serving certificate on each
 * listen address, every request relayed (through the gateway's socket) to the platform API under the
 * cluster's own path, which authenticates the caller's token as any other request.
 */
export interface KubeApi {
  /** The `kubernetes` ClusterIP on 443, and netd's own address on 6443 (the Service's endpoint). */
  listen: { ip: string; port: number }[];
  cert: string;
  key: string;
  /** The cluster's path on the platform API, `/clusters/<id>` under the kubeconfig's server URL. */
  prefix: string;
  /** The platform API's TLS: its CA, and the host its certificate must name. */
  upstream: { ca: string; host: string };
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
