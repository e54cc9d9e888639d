import type { ClusterNetwork } from "../../network/cluster-network";
import type { KubeObject } from "../types";
import { defaultService } from "./defaults";
import type { Service } from "./types";

/** The Services a kubeadm cluster is born with: `default/kubernetes` and `kube-system/kube-dns`. */
export function wellKnownServices(network: ClusterNetwork): Service[] {
  const kubernetes: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "kubernetes",
      namespace: "default",
      labels: { component: "apiserver", provider: "kubernetes" },
    },
    spec: {
      clusterIP: network.kubernetesIp,
      clusterIPs: [network.kubernetesIp],
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }],
    },
  };
  const dns: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "kube-dns",
      namespace: "kube-system",
      labels: {
        "k8s-app": "kube-dns",
        "kubernetes.io/cluster-service": "true",
        "kubernetes.io/name": "CoreDNS",
      },
    },
    spec: {
      selector: { "k8s-app": "kube-dns" },
      clusterIP: network.dnsIp,
      clusterIPs: [network.dnsIp],
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
      ],
    },
  };
  return [defaultService(kubernetes), defaultService(dns)];
}

/** The IngressClass every cluster is born with, served by the node gateways. */
export const INGRESS_CLASS = "timonier";
export const INGRESS_CONTROLLER = "timonier.dev/gateway";

export function defaultIngressClass(): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: {
      name: INGRESS_CLASS,
      annotations: { "ingressclass.kubernetes.io/is-default-class": "true" },
    },
    spec: { controller: INGRESS_CONTROLLER },
  };
}
