import type { ClusterNetwork } from "../../network/cluster-network";
import type { KubeObject } from "../types";
import { defaultService } from "./defaults";
import type { EndpointSlice, Endpoints, Service } from "./types";

export const KUBERNETES_SERVICE = "kubernetes";
/** Where each cluster's netd serves the cluster's API besides the ClusterIP: kube-apiserver's port. */
export const KUBE_APISERVER_PORT = 6443;

/** The Services a kubeadm cluster is born with: `default/kubernetes` and `kube-system/kube-dns`. */
export function wellKnownServices(network: ClusterNetwork): Service[] {
  const kubernetes: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: KUBERNETES_SERVICE,
      namespace: "default",
      labels: { component: "apiserver", provider: "kubernetes" },
    },
    spec: {
      clusterIP: network.kubernetesIp,
      clusterIPs: [network.kubernetesIp],
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: KUBE_APISERVER_PORT }],
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

/**
 * The `kubernetes` Service's Endpoints and EndpointSlice, as kube-apiserver's endpoint reconciler writes
 * them: the API's own address, here the cluster's netd, which serves the API on kube-apiserver's port.
 */
export function kubernetesEndpoints(network: ClusterNetwork): [Endpoints, EndpointSlice] {
  const port = { name: "https", port: KUBE_APISERVER_PORT, protocol: "TCP" as const };
  const metadata = { name: KUBERNETES_SERVICE, namespace: "default" };
  return [
    {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { ...metadata, labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
      subsets: [{ addresses: [{ ip: network.dnsIp }], ports: [port] }],
    },
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { ...metadata, labels: { "kubernetes.io/service-name": KUBERNETES_SERVICE } },
      addressType: "IPv4",
      endpoints: [
        { addresses: [network.dnsIp], conditions: { ready: true, serving: true, terminating: false } },
      ],
      ports: [port],
    },
  ];
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
