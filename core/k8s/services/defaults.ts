import { type Service, type ServiceSpec, usesNodePorts } from "./types";

/** kube-apiserver's defaulting of a Service spec (SetDefaults_Service), before any address is allocated. */
export function defaultService(svc: Service): Service {
  const spec: ServiceSpec = svc.spec;
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  if (spec.sessionAffinity === "ClientIP") {
    spec.sessionAffinityConfig = {
      clientIP: { timeoutSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 },
    };
  }
  if (spec.type === "ExternalName") {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    delete spec.ipFamilies;
    delete spec.ipFamilyPolicy;
  } else {
    spec.internalTrafficPolicy ??= "Cluster";
    spec.ipFamilies ??= ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
    if (spec.clusterIP === undefined && spec.clusterIPs?.[0]) spec.clusterIP = spec.clusterIPs[0];
  }
  if (spec.type === "NodePort" || spec.type === "LoadBalancer") spec.externalTrafficPolicy ??= "Cluster";
  if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
  for (const port of spec.ports ?? []) {
    port.protocol ??= "TCP";
    port.targetPort ??= port.port;
  }
  svc.status = { loadBalancer: svc.status?.loadBalancer ?? {} };
  return svc;
}

/**
 * What an update that leaves addresses out keeps from the stored Service, as kube-apiserver does for
 * `kubectl replace` and `kubectl apply`: the ClusterIP, and each port's NodePort when the type still uses them.
 */
export function keepAllocatedValues(next: Service, current: Service): void {
  const spec = next.spec;
  if (spec.type !== "ExternalName" && current.spec.type !== "ExternalName") {
    if (!spec.clusterIP && current.spec.clusterIP) spec.clusterIP = current.spec.clusterIP;
    if (!spec.clusterIPs?.length && current.spec.clusterIPs) spec.clusterIPs = current.spec.clusterIPs;
  }
  if (!usesNodePorts(spec)) return;
  for (const port of spec.ports ?? []) {
    if (port.nodePort) continue;
    const same = current.spec.ports?.find(
      (p) => p.port === port.port && (p.protocol ?? "TCP") === (port.protocol ?? "TCP") && p.nodePort,
    );
    if (same?.nodePort) port.nodePort = same.nodePort;
  }
}
