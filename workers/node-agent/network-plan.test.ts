import { describe, expect, it } from "vitest";
import type { Ingress } from "../../core/k8s/services/ingress";
import type { EndpointSlice, Service } from "../../core/k8s/services/types";
import { clusterNetwork } from "../../core/network/cluster-network";
import { clusterNetdConfig, gatewayConfig, ingressCertificates, ingressRoutes } from "./network-plan";

const network = clusterNetwork("10.128.6.0/23");

function service(name: string, spec: Service["spec"], status?: Service["status"]): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "shop" },
    spec,
    ...(status ? { status } : {}),
  };
}

function slice(
  svc: string,
  endpoints: [ip: string, ready: boolean, hostname?: string][],
  port = 8080,
): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: `${svc}-abcde`, namespace: "shop", labels: { "kubernetes.io/service-name": svc } },
    addressType: "IPv4",
    ports: [{ name: "http", port, protocol: "TCP" }],
    endpoints: endpoints.map(([ip, ready, hostname]) => ({
      addresses: [ip],
      conditions: { ready, serving: ready, terminating: false },
      ...(hostname ? { hostname } : {}),
    })),
  };
}

const web = service("web", {
  type: "NodePort",
  clusterIP: "10.128.7.20",
  ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", nodePort: 30080 }],
  sessionAffinity: "ClientIP",
  sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
});
const db = service("db", { clusterIP: "None", ports: [{ name: "http", port: 5432, protocol: "TCP" }] });
const alias = service("search", { type: "ExternalName", externalName: "example.org." });
const dns = service("kube-dns", {
  clusterIP: network.dnsIp,
  ports: [{ name: "dns", port: 53, protocol: "UDP" }],
});

describe("clusterNetdConfig", () => {
  const config = clusterNetdConfig(network, {
    services: [web, db, alias, dns],
    slices: [
      slice("web", [
        ["10.128.6.5", true],
        ["10.128.6.4", false],
      ]),
      slice("db", [["10.128.6.9", true, "db-0"]]),
    ],
  });

  it("holds ClusterIPs (not kube-dns's, netd's own) and proxies to ready endpoints only", () => {
    expect(config.addresses).toEqual(["10.128.7.20"]);
    expect(config.rules).toEqual([
      {
        name: "shop/web:80",
        ip: "10.128.7.20",
        port: 80,
        protocol: "TCP",
        backends: [{ ip: "10.128.6.5", port: 8080 }],
        allowed: "10.128.6.0/24",
        affinitySeconds: 60,
      },
    ]);
  });

  it("names Services, headless pods, ExternalName aliases and named ports", () => {
    const records = config.dns?.records ?? {};
    expect(config.dns?.listen).toBe(network.dnsIp);
    expect(records["web.shop.svc.cluster.local"]).toEqual({ a: ["10.128.7.20"] });
    expect(records["_http._tcp.web.shop.svc.cluster.local"]?.srv?.[0]).toMatchObject({ port: 80 });
    expect(records["db.shop.svc.cluster.local"]).toEqual({ a: ["10.128.6.9"] });
    expect(records["db-0.db.shop.svc.cluster.local"]).toEqual({ a: ["10.128.6.9"] });
    expect(records["_http._tcp.db.shop.svc.cluster.local"]?.srv?.[0]).toMatchObject({
      port: 8080,
      target: "db-0.db.shop.svc.cluster.local",
    });
    expect(records["search.shop.svc.cluster.local"]).toEqual({ cname: "example.org" });
  });
});

describe("a cluster's netd on an overlay network", () => {
  it("holds kube-dns's address as a ClusterIP (every node's netd answers its own pods) and relays", () => {
    const onBridge = clusterNetdConfig(network, { services: [web], slices: [] });
    const onOverlay = clusterNetdConfig(network, { services: [web], slices: [] }, undefined, true);
    expect(onBridge.relay).toBeUndefined();
    expect(onOverlay.relay).toBe(true);
    expect(onOverlay.addresses).toEqual([network.dnsIp, "10.128.7.20"].sort());
    expect(onOverlay.dns).toEqual(onBridge.dns);
    expect(onOverlay.rules).toEqual(onBridge.rules);
  });
});

describe("the cluster's own API on its kubernetes Service", () => {
  const kubernetes: Service = {
    ...service("kubernetes", {
      clusterIP: network.kubernetesIp,
      ports: [{ name: "https", port: 443, targetPort: 6443, protocol: "TCP" }],
    }),
    metadata: { name: "kubernetes", namespace: "default" },
  };
  const kubeApi = {
    listen: [{ ip: network.kubernetesIp, port: 443 }],
    cert: "cert",
    key: "key",
    prefix: "/clusters/c1",
    upstream: { ca: "ca", host: "127.0.0.1" },
  };

  it("is netd's own, not a proxy rule, and its address is held even without the Service", () => {
    const config = clusterNetdConfig(network, { services: [kubernetes], slices: [] }, kubeApi);
    expect(config.kubeApi).toEqual(kubeApi);
    expect(config.rules).toEqual([]);
    expect(clusterNetdConfig(network, { services: [], slices: [] }, kubeApi).addresses).toEqual([
      network.kubernetesIp,
    ]);
  });

  it("is a proxy rule with no backend when the node has no relay", () => {
    const config = clusterNetdConfig(network, { services: [kubernetes], slices: [] });
    expect(config.kubeApi).toBeUndefined();
    expect(config.rules).toMatchObject([{ ip: network.kubernetesIp, port: 443, backends: [] }]);
  });
});

describe("gatewayConfig", () => {
  it("listens on node ports everywhere and on load balancer addresses at the service port", () => {
    const lb = service(
      "front",
      {
        type: "LoadBalancer",
        clusterIP: "10.128.7.21",
        ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 31000 }],
      },
      { loadBalancer: { ingress: [{ ip: "127.1.0.7" }] } },
    );
    const config = gatewayConfig([
      {
        services: [web, lb],
        slices: [slice("web", [["10.128.6.5", true]]), slice("front", [])],
        podRange: network.podRange,
      },
    ]);
    expect(config.rules.map((r) => [r.ip, r.port, r.backends.length])).toEqual([
      ["0.0.0.0", 30080, 1],
      ["0.0.0.0", 31000, 0],
      ["127.1.0.7", 80, 0],
    ]);
    expect(config.routes).toBeUndefined();
  });

  it("routes overlay clusters' pod ranges through their netds on a Swarm's node, and says so when none", () => {
    const routes = [
      { to: "10.128.8.0/24", via: "172.18.0.4" },
      { to: "10.128.6.0/24", via: "172.18.0.3" },
    ];
    expect(gatewayConfig([], undefined, undefined, routes).routes).toEqual([routes[1], routes[0]]);
    expect(gatewayConfig([], undefined, undefined, []).routes).toEqual([]);
  });
});

describe("the cluster's pod range confines every backend", () => {
  it("never relays to the host, link-local services or another cluster, whatever the slices say", () => {
    const hostile = slice("web", [
      ["127.0.0.1", true],
      ["169.254.169.254", true],
      ["10.128.8.5", true],
      ["10.128.7.20", true],
      ["10.128.6.1", true],
      ["10.128.6.7", true],
    ]);
    const cluster = { services: [web], slices: [hostile], podRange: network.podRange };
    expect(gatewayConfig([cluster]).rules[0]?.backends).toEqual([{ ip: "10.128.6.7", port: 8080 }]);
    expect(clusterNetdConfig(network, cluster).rules[0]).toMatchObject({
      backends: [{ ip: "10.128.6.7", port: 8080 }],
      allowed: "10.128.6.0/24",
    });
  });
});

describe("ingress routes and certificates", () => {
  const ingress: Ingress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "web", namespace: "shop" },
    spec: {
      tls: [{ hosts: ["app.local"], secretName: "cert" }],
      defaultBackend: { service: { name: "web", port: { name: "http" } } },
      rules: [
        {
          host: "app.local",
          http: {
            paths: [
              {
                path: "/api",
                pathType: "Exact",
                backend: { service: { name: "web", port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };

  it("moves every host under the cluster's domain and resolves backends by port number or name", () => {
    const routes = ingressRoutes("alice-1a2b3c4d.example", [ingress], {
      services: [web],
      slices: [slice("web", [["10.128.6.5", true]])],
      podRange: network.podRange,
    });
    expect(routes).toEqual([
      {
        host: "app.local.alice-1a2b3c4d.example",
        path: "/api",
        pathType: "Exact",
        backends: [{ ip: "10.128.6.5", port: 8080 }],
        allowed: "10.128.6.0/24",
      },
      {
        host: ".alice-1a2b3c4d.example",
        path: "/",
        pathType: "Prefix",
        backends: [{ ip: "10.128.6.5", port: 8080 }],
        allowed: "10.128.6.0/24",
      },
    ]);
    const other = { ...ingress, spec: { ...ingress.spec, ingressClassName: "nginx" } };
    expect(ingressRoutes("d", [other], { services: [web], slices: [], podRange: network.podRange })).toEqual(
      [],
    );
  });

  it("takes certificates from the named Secret, for the declared hosts", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "cert", namespace: "shop" },
      data: {
        "tls.crt": Buffer.from("CERT").toString("base64"),
        "tls.key": Buffer.from("KEY").toString("base64"),
      },
    };
    expect(ingressCertificates("d.example", [ingress], [secret])).toEqual([
      { hosts: ["app.local.d.example"], cert: "CERT", key: "KEY" },
    ]);
    expect(ingressCertificates("d.example", [ingress], [])).toEqual([]);
  });
});
