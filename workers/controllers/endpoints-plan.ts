import { createHash } from "node:crypto";
import { controllerRef } from "../../core/k8s/owners";
import { isTerminal } from "../../core/k8s/pods";
import type {
  EndpointAddress,
  EndpointPort,
  EndpointSlice,
  EndpointSubset,
  Endpoints,
  Service,
  SliceEndpoint,
} from "../../core/k8s/services/types";
import type { Pod } from "../../core/k8s/types";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const SLICE_MANAGER_LABEL = "endpointslice.kubernetes.io/managed-by";
export const SLICE_MANAGER = "endpointslice-controller.k8s.io";

function selects(selector: Record<string, string>, pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** A Service port's target on one pod: a number, or the pod's container port of that name. */
function targetPort(pod: Pod, target: number | string | undefined, protocol: string): number | undefined {
  if (typeof target === "number") return target;
  for (const c of pod.spec.containers ?? [])
    for (const p of c.ports ?? [])
      if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
  return undefined;
}

interface Member {
  pod: Pod;
  ready: boolean;
  terminating: boolean;
  ports: EndpointPort[];
}

/** The selected pods with an IP, each with its resolved ports; pods a named port does not resolve on are left out. */
function members(svc: Service, pods: Pod[]): Member[] {
  const selector = svc.spec.selector ?? {};
  const out: Member[] = [];
  for (const pod of pods) {
    if (!pod.status?.podIP || isTerminal(pod) || !selects(selector, pod)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec.ports ?? []) {
      const protocol = sp.protocol ?? "TCP";
      const port = targetPort(pod, sp.targetPort ?? sp.port, protocol);
      if (port === undefined) continue;
      ports.push({
        ...(sp.name ? { name: sp.name } : {}),
        port,
        protocol,
        ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
      });
    }
    if ((svc.spec.ports?.length ?? 0) > 0 && ports.length === 0) continue;
    const terminating = Boolean(pod.metadata.deletionTimestamp);
    const ready = svc.spec.publishNotReadyAddresses === true || (isReady(pod) && !terminating);
    out.push({ pod, ready, terminating, ports });
  }
  return out;
}

function address(svc: Service, pod: Pod): EndpointAddress {
  const hostname = pod.spec.hostname as string | undefined;
  return {
    ip: pod.status?.podIP as string,
    ...(hostname && pod.spec.subdomain === svc.metadata.name ? { hostname } : {}),
    ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: {
      kind: "Pod",
      namespace: pod.metadata.namespace ?? "",
      name: pod.metadata.name ?? "",
      uid: pod.metadata.uid ?? "",
    },
  };
}

const portsKey = (ports: EndpointPort[]) => JSON.stringify(ports);
const byIp = (a: { ip: string }, b: { ip: string }) => a.ip.localeCompare(b.ip, undefined, { numeric: true });

/** Whether the endpoints controller keeps this Service's endpoints: it has a selector and is not an alias. */
export function managesEndpoints(svc: Service): boolean {
  return svc.spec.type !== "ExternalName" && Object.keys(svc.spec.selector ?? {}).length > 0;
}

/**
 * The Endpoints object of a Service, as kube-controller-manager keeps it: one subset per distinct set of
 * resolved ports, ready pods in `addresses`, the others (not terminating) in `notReadyAddresses`. Pure.
 */
export function desiredEndpoints(svc: Service, pods: Pod[]): Endpoints {
  const groups = new Map<string, EndpointSubset>();
  for (const m of members(svc, pods)) {
    if (m.terminating && !m.ready) continue;
    const key = portsKey(m.ports);
    const subset = groups.get(key) ?? { ports: m.ports };
    groups.set(key, subset);
    if (m.ready) subset.addresses = [...(subset.addresses ?? []), address(svc, m.pod)];
    else subset.notReadyAddresses = [...(subset.notReadyAddresses ?? []), address(svc, m.pod)];
  }
  const subsets = [...groups.values()].map((s) => {
    s.addresses?.sort(byIp);
    s.notReadyAddresses?.sort(byIp);
    if (s.ports?.length === 0) delete s.ports;
    return s;
  });
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: {
      name: svc.metadata.name,
      namespace: svc.metadata.namespace,
      ...(svc.metadata.labels ? { labels: { ...svc.metadata.labels } } : {}),
    },
    ...(subsets.length ? { subsets } : {}),
  };
}

/**
 * The EndpointSlices of a Service: one per distinct set of resolved ports (named after the Service and that
 * set, so a resync rewrites the same slice), owned by the Service. Terminating pods stay, marked so. Pure.
 */
export function desiredSlices(svc: Service, pods: Pod[]): EndpointSlice[] {
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: SliceEndpoint[] }>();
  for (const m of members(svc, pods)) {
    const key = portsKey(m.ports);
    const group = groups.get(key) ?? { ports: m.ports, endpoints: [] };
    groups.set(key, group);
    const a = address(svc, m.pod);
    group.endpoints.push({
      addresses: [a.ip],
      conditions: {
        ready: m.ready,
        serving: m.ready || (m.terminating && isReady(m.pod)),
        terminating: m.terminating,
      },
      ...(a.hostname ? { hostname: a.hostname } : {}),
      ...(a.nodeName ? { nodeName: a.nodeName } : {}),
      ...(a.targetRef ? { targetRef: a.targetRef } : {}),
    });
  }
  if (groups.size === 0) groups.set("[]", { ports: [], endpoints: [] });
  return [...groups.entries()].map(([key, g]) => ({
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: sliceName(svc, key),
      namespace: svc.metadata.namespace,
      labels: {
        ...svc.metadata.labels,
        [SERVICE_NAME_LABEL]: svc.metadata.name ?? "",
        [SLICE_MANAGER_LABEL]: SLICE_MANAGER,
      },
      ownerReferences: [controllerRef(svc)],
    },
    addressType: "IPv4",
    endpoints: g.endpoints.sort((a, b) => byIp({ ip: a.addresses[0] ?? "" }, { ip: b.addresses[0] ?? "" })),
    ports: g.ports,
  }));
}

function sliceName(svc: Service, key: string): string {
  const digest = createHash("sha256").update(`${svc.metadata.uid}/${key}`).digest("hex").slice(0, 5);
  return `${(svc.metadata.name ?? "").slice(0, 57)}-${digest}`;
}
