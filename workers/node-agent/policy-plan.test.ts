import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../core/k8s/types";
import { clusterNetwork } from "../../core/network/cluster-network";
import { connectionAllowed } from "../../core/network/policy-verdict";
import { clusterPolicyTable } from "./policy-plan";

const network = clusterNetwork("10.128.6.0/23");

const pod = (
  name: string,
  ip: string | undefined,
  labels: Record<string, string>,
  extra = {},
): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", labels },
  spec: { containers: [{ name: "c", ports: [{ name: "http", containerPort: 8080 }] }] },
  status: { phase: "Running", ...(ip ? { podIP: ip } : {}) },
  ...extra,
});

const namespaces: KubeObject[] = ["default", "kube-system"].map((name) => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
}));

const policy = (spec: unknown): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "p", namespace: "default" },
  spec,
});

describe("clusterPolicyTable", () => {
  it("is empty without policies, whatever the pods", () => {
    expect(
      clusterPolicyTable(network, { policies: [], pods: [pod("a", "10.128.6.2", {})], namespaces }),
    ).toEqual({});
  });

  it("resolves named container ports and leaves out pods without an address or that have ended", () => {
    const table = clusterPolicyTable(network, {
      policies: [policy({ podSelector: {}, ingress: [{ ports: [{ port: "http" }] }] })],
      pods: [
        pod("web", "10.128.6.2", {}),
        pod("pending", undefined, {}),
        { ...pod("done", "10.128.6.9", {}), status: { phase: "Succeeded", podIP: "10.128.6.9" } },
      ],
      namespaces,
    });
    expect(Object.keys(table)).toEqual(["10.128.6.2"]);
    expect(connectionAllowed(table, "10.128.6.3", "10.128.6.2", 8080, "TCP")).toBe(true);
    expect(connectionAllowed(table, "10.128.6.3", "10.128.6.2", 80, "TCP")).toBe(false);
  });

  it("stands kube-dns's address for CoreDNS's pods: kube-system, k8s-app=kube-dns, ports dns and dns-tcp", () => {
    const table = clusterPolicyTable(network, {
      policies: [
        policy({
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
              ],
              ports: [
                { protocol: "UDP", port: "dns" },
                { protocol: "TCP", port: "dns-tcp" },
              ],
            },
          ],
        }),
      ],
      pods: [pod("client", "10.128.6.4", {}), pod("web", "10.128.6.2", {})],
      namespaces,
    });
    expect(connectionAllowed(table, "10.128.6.4", network.dnsIp, 53, "UDP")).toBe(true);
    expect(connectionAllowed(table, "10.128.6.4", network.dnsIp, 53, "TCP")).toBe(true);
    expect(connectionAllowed(table, "10.128.6.4", "10.128.6.2", 8080, "TCP")).toBe(false);
  });
});
