import { cpuTarget, type HorizontalPodAutoscaler } from "../../../core/k8s/autoscaling/types";
import type { EndpointSlice, Endpoints, Service } from "../../../core/k8s/services/types";
import type { KubeObject } from "../../../core/k8s/types";
import { AGE, column, NAME, type Printer } from "./columns";
import { since } from "./duration";

/** kubectl's way of showing a long list: the first three, then how many more. */
function firstThree(items: string[]): string {
  if (items.length === 0) return "<none>";
  const shown = items.slice(0, 3).join(",");
  return items.length > 3 ? `${shown} + ${items.length - 3} more...` : shown;
}

function externalIp(svc: Service): string {
  const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? "");
  const external = [...(svc.spec.externalIPs ?? [])];
  switch (svc.spec.type) {
    case "LoadBalancer":
      return [...ingress, ...external].join(",") || "<pending>";
    case "ExternalName":
      return svc.spec.externalName ?? "<none>";
    default:
      return external.length ? external.join(",") : "<none>";
  }
}

function servicePorts(svc: Service): string {
  const ports = svc.spec.ports ?? [];
  if (ports.length === 0) return "<none>";
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(",");
}

function selector(labels: Record<string, string> | undefined): string {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(",") : "<none>";
}

function endpointsList(ep: Endpoints): string {
  const out: string[] = [];
  for (const subset of ep.subsets ?? []) {
    const ports = subset.ports?.length ? subset.ports : [undefined];
    for (const address of subset.addresses ?? [])
      for (const port of ports) out.push(port ? `${address.ip}:${port.port}` : address.ip);
  }
  return firstThree(out);
}

interface IngressRule {
  host?: string;
}
interface Ingress extends KubeObject {
  spec?: { ingressClassName?: string; rules?: IngressRule[]; tls?: unknown[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export const NETWORK_PRINTERS: Record<string, Printer> = {
  Service: {
    columns: [
      NAME,
      column("Type", "The type of the service."),
      column("Cluster-IP", "The cluster IP assigned to the service."),
      column("External-IP", "The external IP assigned to the service."),
      column("Port(s)", "The ports the service exposes."),
      AGE,
      column("Selector", "The label selector of the service.", { priority: 1 }),
    ],
    row: (o, now) => {
      const svc = o as Service;
      return [
        o.metadata.name,
        svc.spec.type ?? "ClusterIP",
        svc.spec.clusterIP || "<none>",
        externalIp(svc),
        servicePorts(svc),
        since(o.metadata.creationTimestamp, now),
        selector(svc.spec.selector),
      ];
    },
  },
  Endpoints: {
    columns: [NAME, column("Endpoints", "Endpoints of the service."), AGE],
    row: (o, now) => [
      o.metadata.name,
      endpointsList(o as Endpoints),
      since(o.metadata.creationTimestamp, now),
    ],
  },
  EndpointSlice: {
    columns: [
      NAME,
      column("AddressType", "The address type of the endpoint slice."),
      column("Ports", "The ports of the endpoint slice."),
      column("Endpoints", "The endpoints of the endpoint slice."),
      AGE,
    ],
    row: (o, now) => {
      const slice = o as EndpointSlice;
      const ports = slice.ports?.length ? slice.ports.map((p) => String(p.port)).join(",") : "<unset>";
      return [
        o.metadata.name,
        slice.addressType,
        ports,
        firstThree((slice.endpoints ?? []).flatMap((e) => e.addresses)),
        since(o.metadata.creationTimestamp, now),
      ];
    },
  },
  Ingress: {
    columns: [
      NAME,
      column("Class", "The name of the IngressClass resource."),
      column("Hosts", "The hosts of the ingress."),
      column("Address", "The address of the ingress."),
      column("Ports", "The ports of the ingress."),
      AGE,
    ],
    row: (o, now) => {
      const ing = o as Ingress;
      const hosts = (ing.spec?.rules ?? []).map((r) => r.host ?? "*");
      const address = (ing.status?.loadBalancer?.ingress ?? []).map((i) => i.hostname ?? i.ip ?? "");
      return [
        o.metadata.name,
        ing.spec?.ingressClassName ?? "<none>",
        hosts.length ? firstThree(hosts) : "*",
        address.join(","),
        ing.spec?.tls?.length ? "80, 443" : "80",
        since(o.metadata.creationTimestamp, now),
      ];
    },
  },
  HorizontalPodAutoscaler: {
    columns: [
      NAME,
      column("Reference", "The reference to the target of the autoscaler."),
      column("Targets", "The metrics and their targets."),
      column("MinPods", "The minimum number of replicas.", { type: "integer" }),
      column("MaxPods", "The maximum number of replicas.", { type: "integer" }),
      column("Replicas", "The current number of replicas.", { type: "integer" }),
      AGE,
    ],
    row: (o, now) => {
      const hpa = o as HorizontalPodAutoscaler;
      const target = cpuTarget(hpa);
      const current = hpa.status?.currentMetrics?.find((m) => m.resource.name === "cpu")?.resource.current
        .averageUtilization;
      return [
        o.metadata.name,
        `${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`,
        target === undefined
          ? "<none>"
          : `cpu: ${current === undefined ? "<unknown>" : `${current}%`}/${target}%`,
        hpa.spec.minReplicas ?? 1,
        hpa.spec.maxReplicas,
        hpa.status?.currentReplicas ?? 0,
        since(o.metadata.creationTimestamp, now),
      ];
    },
  },
  IngressClass: {
    columns: [
      NAME,
      column("Controller", "Controller that is responsible for handling this class."),
      column("Parameters", "A reference to a resource with additional parameters."),
      AGE,
    ],
    row: (o, now) => [
      o.metadata.name,
      String((o.spec as { controller?: string } | undefined)?.controller ?? ""),
      "<none>",
      since(o.metadata.creationTimestamp, now),
    ],
  },
};
