import { describe, expect, it } from "vitest";
import { serviceEnvironment } from "./environment";
import type { Service } from "./types";

const service = (namespace: string, name: string, spec: Service["spec"]): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { namespace, name },
  spec,
});

const services = [
  service("default", "kubernetes", {
    clusterIP: "10.0.0.1",
    ports: [{ name: "https", port: 443, protocol: "TCP" }],
  }),
  service("shop", "redis-master", {
    clusterIP: "10.0.0.9",
    ports: [
      { name: "redis", port: 6379 },
      { name: "dns-udp", port: 53, protocol: "UDP" },
    ],
  }),
  service("shop", "headless", { clusterIP: "None", ports: [{ port: 80 }] }),
  service("shop", "db", { type: "ExternalName", externalName: "db.example", ports: [{ port: 5432 }] }),
  service("other", "hidden", { clusterIP: "10.0.0.7", ports: [{ port: 80 }] }),
];

describe("serviceEnvironment", () => {
  it("gives the namespace's services and the kubernetes service, as the kubelet names them", () => {
    expect(serviceEnvironment(services, "shop", true)).toEqual({
      KUBERNETES_SERVICE_HOST: "10.0.0.1",
      KUBERNETES_SERVICE_PORT: "443",
      KUBERNETES_SERVICE_PORT_HTTPS: "443",
      KUBERNETES_PORT: "tcp://10.0.0.1:443",
      KUBERNETES_PORT_443_TCP: "tcp://10.0.0.1:443",
      KUBERNETES_PORT_443_TCP_PROTO: "tcp",
      KUBERNETES_PORT_443_TCP_PORT: "443",
      KUBERNETES_PORT_443_TCP_ADDR: "10.0.0.1",
      REDIS_MASTER_SERVICE_HOST: "10.0.0.9",
      REDIS_MASTER_SERVICE_PORT: "6379",
      REDIS_MASTER_SERVICE_PORT_REDIS: "6379",
      REDIS_MASTER_SERVICE_PORT_DNS_UDP: "53",
      REDIS_MASTER_PORT: "tcp://10.0.0.9:6379",
      REDIS_MASTER_PORT_6379_TCP: "tcp://10.0.0.9:6379",
      REDIS_MASTER_PORT_6379_TCP_PROTO: "tcp",
      REDIS_MASTER_PORT_6379_TCP_PORT: "6379",
      REDIS_MASTER_PORT_6379_TCP_ADDR: "10.0.0.9",
      REDIS_MASTER_PORT_53_UDP: "udp://10.0.0.9:53",
      REDIS_MASTER_PORT_53_UDP_PROTO: "udp",
      REDIS_MASTER_PORT_53_UDP_PORT: "53",
      REDIS_MASTER_PORT_53_UDP_ADDR: "10.0.0.9",
    });
  });
  it("keeps only the kubernetes service when service links are off", () => {
    expect(
      Object.keys(serviceEnvironment(services, "shop", false)).every((k) => k.startsWith("KUBERNETES_")),
    ).toBe(true);
  });
});
