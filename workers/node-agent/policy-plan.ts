import type { KubeObject } from "../../core/k8s/types";
import type { ClusterNetwork } from "../../core/network/cluster-network";
import {
  type NetworkPolicy,
  type PolicyNamespace,
  type PolicyPod,
  policyTable,
} from "../../core/network/network-policy";
import type { PolicyTable } from "../../core/network/policy-verdict";

/** A cluster's NetworkPolicies and what they select: its pods and its namespaces. */
export interface ClusterPolicies {
  policies: KubeObject[];
  pods: KubeObject[];
  namespaces: KubeObject[];
}

interface PodSpecPorts {
  hostNetwork?: boolean;
  containers?: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
  initContainers?: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
}

/**
 * kube-dns as policies see it: netd answers the cluster's names at kube-dns's ClusterIP, so that address
 * stands for CoreDNS's pods, with their namespace, label and named ports. A policy that lets pods reach
 * kube-system's kube-dns pods on 53, as written for a kubeadm cluster, lets them reach netd's DNS.
 */
export function dnsPod(network: ClusterNetwork): PolicyPod {
  return {
    namespace: "kube-system",
    ip: network.dnsIp,
    labels: { "k8s-app": "kube-dns" },
    ports: [
      { name: "dns", containerPort: 53, protocol: "UDP" },
      { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
    ],
  };
}

/** A pod that holds an address on the cluster's network, as policies see it; none otherwise. */
function policyPod(pod: KubeObject): PolicyPod | undefined {
  const spec = (pod.spec ?? {}) as PodSpecPorts;
  const status = (pod.status ?? {}) as { podIP?: string; phase?: string };
  if (!status.podIP || spec.hostNetwork || status.phase === "Succeeded" || status.phase === "Failed")
    return undefined;
  return {
    namespace: pod.metadata.namespace ?? "default",
    ip: status.podIP,
    labels: pod.metadata.labels ?? {},
    ports: [...(spec.initContainers ?? []), ...(spec.containers ?? [])].flatMap((c) => c.ports ?? []),
  };
}

/** The cluster's NetworkPolicies resolved to its pods' addresses (kube-dns included). Pure. */
export function clusterPolicyTable(network: ClusterNetwork, cluster: ClusterPolicies): PolicyTable {
  if (cluster.policies.length === 0) return {};
  const pods = [...cluster.pods.flatMap((p) => policyPod(p) ?? []), dnsPod(network)];
  const namespaces: PolicyNamespace[] = cluster.namespaces.map((n) => ({
    name: n.metadata.name ?? "",
    labels: n.metadata.labels ?? {},
  }));
  return policyTable(cluster.policies as unknown as NetworkPolicy[], pods, namespaces);
}
