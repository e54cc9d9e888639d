import type { Ingress, IngressBackend } from "../../core/k8s/services/ingress";
import type { EndpointSlice, Service } from "../../core/k8s/services/types";
import { INGRESS_CLASS } from "../../core/k8s/services/well-known";
import type { KubeObject } from "../../core/k8s/types";
import { type ClusterNetwork, isPodAddress } from "../../core/network/cluster-network";
import { SERVICE_NAME_LABEL } from "../controllers/endpoints-plan";
import type {
  Backend,
  Certificate,
  DnsRecord,
  HttpRoute,
  KubeApi,
  NetdConfig,
  ProxyRule,
  Route,
} from "../netd/config";
import { CLUSTER_DOMAIN } from "./pod-dns";

/** A cluster's Services, its EndpointSlices, and its pod range: the only addresses its traffic may reach. */
export interface ClusterServices {
  services: Service[];
  slices: EndpointSlice[];
  podRange: string;
}

const keyOf = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ""}/${name ?? ""}`;

function slicesByService(slices: EndpointSlice[]): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!service) continue;
    const key = keyOf(slice.metadata.namespace, service);
    out.set(key, [...(out.get(key) ?? []), slice]);
  }
  return out;
}

/**
 * Ready endpoints of a Service port: the slice port of the same name, on every ready address in the
 * cluster's pod range. The API refuses any other address already; skipping them here as well means no
 * stored object, however it got there, can point the node's proxies at the host or at another cluster.
 */
function backends(
  slices: EndpointSlice[],
  portName: string | undefined,
  protocol: string,
  podRange: string,
): Backend[] {
  const out: Backend[] = [];
  for (const slice of slices) {
    if (slice.addressType !== "IPv4") continue;
    const port = slice.ports.find((p) => (p.name ?? "") === (portName ?? "") && p.protocol === protocol);
    if (!port) continue;
    for (const e of slice.endpoints)
      if (e.conditions.ready !== false)
        for (const ip of e.addresses) if (isPodAddress(podRange, ip)) out.push({ ip, port: port.port });
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip, undefined, { numeric: true }) || a.port - b.port);
}

function affinity(svc: Service): { affinitySeconds?: number } {
  return svc.spec.sessionAffinity === "ClientIP"
    ? { affinitySeconds: svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 }
    : {};
}

const proxied = (protocol: string | undefined): protocol is "TCP" | "UDP" =>
  protocol === "TCP" || protocol === "UDP";

function dnsRecords(svc: Service, slices: EndpointSlice[]): Record<string, DnsRecord> {
  const fqdn = `${svc.metadata.name}.${svc.metadata.namespace}.svc.${CLUSTER_DOMAIN}`;
  const records: Record<string, DnsRecord> = {};
  if (svc.spec.type === "ExternalName") {
    if (svc.spec.externalName) records[fqdn] = { cname: svc.spec.externalName.replace(/\.$/, "") };
    return records;
  }
  const named = (svc.spec.ports ?? []).filter((p) => p.name);
  if (svc.spec.clusterIP && svc.spec.clusterIP !== "None") {
    records[fqdn] = { a: [svc.spec.clusterIP] };
    for (const p of named)
      records[`_${p.name}._${(p.protocol ?? "TCP").toLowerCase()}.${fqdn}`] = {
        srv: [{ priority: 0, weight: 100, port: p.port, target: fqdn }],
      };
    return records;
  }
  // headless: the ready pods themselves, each also under its hostname (or its dashed address)
  const ready = slices.flatMap((s) =>
    s.endpoints.filter((e) => e.conditions.ready !== false).map((e) => ({ endpoint: e, slice: s })),
  );
  const ips = [...new Set(ready.flatMap((r) => r.endpoint.addresses))].sort();
  records[fqdn] = { a: ips };
  for (const { endpoint } of ready) {
    const ip = endpoint.addresses[0] as string;
    const host = endpoint.hostname ?? ip.replace(/\./g, "-");
    records[`${host}.${fqdn}`] = { a: [ip] };
  }
  for (const p of named) {
    const protocol = p.protocol ?? "TCP";
    const srv = ready.flatMap(({ endpoint, slice }) => {
      const port = slice.ports.find((sp) => sp.name === p.name && sp.protocol === protocol);
      const ip = endpoint.addresses[0] as string;
      const host = endpoint.hostname ?? ip.replace(/\./g, "-");
      return port ? [{ priority: 0, weight: 100, port: port.port, target: `${host}.${fqdn}` }] : [];
    });
    records[`_${p.name}._${protocol.toLowerCase()}.${fqdn}`] = { srv };
  }
  return records;
}

/**
 * What a cluster's netd does: hold every ClusterIP, proxy each Service port to its ready endpoints, and
 * answer the cluster's names. kube-dns's address is netd's own, where it serves DNS itself; the
 * `kubernetes` address's port 443 is the cluster's API, which netd serves itself whatever the stored
 * Service says. On an overlay every node's netd holds kube-dns's address as it holds ClusterIPs (each
 * answers the pods of its node, the overlay carrying no ARP between nodes), and relays the node's
 * traffic to the overlay. Pure.
 */
export function clusterNetdConfig(
  network: ClusterNetwork,
  { services, slices }: Omit<ClusterServices, "podRange">,
  kubeApi?: KubeApi,
  overlay = false,
): NetdConfig {
  const bySvc = slicesByService(slices);
  const addresses = new Set<string>([
    ...(kubeApi ? [network.kubernetesIp] : []),
    ...(overlay ? [network.dnsIp] : []),
  ]);
  const rules: ProxyRule[] = [];
  const records: Record<string, DnsRecord> = {};
  for (const svc of services) {
    const mine = bySvc.get(keyOf(svc.metadata.namespace, svc.metadata.name)) ?? [];
    Object.assign(records, dnsRecords(svc, mine));
    const ip = svc.spec.clusterIP;
    if (!ip || ip === "None" || ip === network.dnsIp || svc.spec.type === "ExternalName") continue;
    addresses.add(ip);
    for (const port of svc.spec.ports ?? []) {
      if (!proxied(port.protocol)) continue;
      if (kubeApi && ip === network.kubernetesIp && port.port === 443 && port.protocol === "TCP") continue;
      rules.push({
        name: `${svc.metadata.namespace}/${svc.metadata.name}:${port.port}`,
        ip,
        port: port.port,
        protocol: port.protocol,
        backends: backends(mine, port.name, port.protocol, network.podRange),
        allowed: network.podRange,
        ...affinity(svc),
      });
    }
  }
  return {
    addresses: [...addresses].sort(),
    rules: rules.sort((a, b) => a.name.localeCompare(b.name)),
    dns: { listen: network.dnsIp, domain: CLUSTER_DOMAIN, records },
    ...(kubeApi ? { kubeApi } : {}),
    ...(overlay ? { relay: true } : {}),
  };
}

/** The ready endpoints behind an Ingress backend: its Service's port, by number or by name. */
function ingressBackends(
  backend: IngressBackend | undefined,
  namespace: string,
  cluster: ClusterServices,
  bySvc: Map<string, EndpointSlice[]>,
): Backend[] {
  const ref = backend?.service;
  if (!ref) return [];
  const svc = cluster.services.find(
    (s) => s.metadata.namespace === namespace && s.metadata.name === ref.name,
  );
  const port = svc?.spec.ports?.find((p) =>
    ref.port.name ? p.name === ref.port.name : p.port === ref.port.number,
  );
  if (!svc || !port) return [];
  return backends(
    bySvc.get(keyOf(namespace, ref.name)) ?? [],
    port.name,
    port.protocol ?? "TCP",
    cluster.podRange,
  );
}

/**
 * The HTTP routes of a cluster's Ingresses (of the platform's class) on the shared gateway: every host
 * moves under the cluster's own domain, so that two clusters may declare the same host; rules without a
 * host and the default backend answer for the domain itself and anything below it. Pure.
 */
export function ingressRoutes(domain: string, ingresses: Ingress[], cluster: ClusterServices): HttpRoute[] {
  const bySvc = slicesByService(cluster.slices);
  const routes: HttpRoute[] = [];
  for (const ing of ingresses) {
    if ((ing.spec.ingressClassName ?? INGRESS_CLASS) !== INGRESS_CLASS) continue;
    const namespace = ing.metadata.namespace ?? "";
    for (const rule of ing.spec.rules ?? []) {
      const host = rule.host ? `${rule.host.toLowerCase()}.${domain}` : `.${domain}`;
      for (const p of rule.http?.paths ?? [])
        routes.push({
          host,
          path: p.path ?? "/",
          pathType: p.pathType === "Exact" ? "Exact" : "Prefix",
          backends: ingressBackends(p.backend, namespace, cluster, bySvc),
          allowed: cluster.podRange,
        });
    }
    if (ing.spec.defaultBackend)
      routes.push({
        host: `.${domain}`,
        path: "/",
        pathType: "Prefix",
        backends: ingressBackends(ing.spec.defaultBackend, namespace, cluster, bySvc),
        allowed: cluster.podRange,
      });
  }
  return routes;
}

/**
 * The certificates of a cluster's Ingress `tls` entries, from their Secrets (`tls.crt`, `tls.key`), for
 * their hosts under the cluster's domain (every rule host when the entry names none). Pure.
 */
export function ingressCertificates(
  domain: string,
  ingresses: Ingress[],
  secrets: KubeObject[],
): Certificate[] {
  const out: Certificate[] = [];
  for (const ing of ingresses) {
    if ((ing.spec.ingressClassName ?? INGRESS_CLASS) !== INGRESS_CLASS) continue;
    for (const entry of ing.spec.tls ?? []) {
      const secret = secrets.find(
        (s) => s.metadata.namespace === ing.metadata.namespace && s.metadata.name === entry.secretName,
      );
      const data = (secret?.data ?? {}) as Record<string, string>;
      if (!data["tls.crt"] || !data["tls.key"]) continue;
      const hosts = entry.hosts?.length
        ? entry.hosts
        : (ing.spec.rules ?? []).flatMap((r) => (r.host ? [r.host] : []));
      out.push({
        hosts: hosts.map((h) => `${h.toLowerCase()}.${domain}`),
        cert: Buffer.from(data["tls.crt"], "base64").toString(),
        key: Buffer.from(data["tls.key"], "base64").toString(),
      });
    }
  }
  return out;
}

/**
 * What a node's gateway does: every NodePort on all the node's addresses, every LoadBalancer address on
 * its Service ports, for every cluster; Ingress routes on the ingress port; the clusters' netds' relay
 * to the platform API; and, on a Swarm's node, the overlay clusters' pod ranges routed through their
 * netds (`routes`, given even when empty so that stale ones go). Pure.
 */
export function gatewayConfig(
  clusters: ClusterServices[],
  http?: NetdConfig["http"],
  apiRelay?: NetdConfig["apiRelay"],
  routes?: Route[],
): NetdConfig {
  const rules: ProxyRule[] = [];
  for (const { services, slices, podRange } of clusters) {
    const bySvc = slicesByService(slices);
    for (const svc of services) {
      const mine = bySvc.get(keyOf(svc.metadata.namespace, svc.metadata.name)) ?? [];
      const lb = svc.spec.type === "LoadBalancer" ? svc.status?.loadBalancer?.ingress?.[0]?.ip : undefined;
      for (const port of svc.spec.ports ?? []) {
        if (!proxied(port.protocol)) continue;
        const common = {
          name: `${svc.metadata.namespace}/${svc.metadata.name}:${port.port}`,
          protocol: port.protocol,
          backends: backends(mine, port.name, port.protocol, podRange),
          allowed: podRange,
          ...affinity(svc),
        };
        if (port.nodePort) rules.push({ ...common, ip: "0.0.0.0", port: port.nodePort });
        if (lb) rules.push({ ...common, ip: lb, port: port.port });
      }
    }
  }
  return {
    addresses: [],
    rules: rules.sort((a, b) => a.ip.localeCompare(b.ip) || a.port - b.port),
    ...(http ? { http } : {}),
    ...(apiRelay ? { apiRelay } : {}),
    ...(routes ? { routes: [...routes].sort((a, b) => a.to.localeCompare(b.to)) } : {}),
  };
}
