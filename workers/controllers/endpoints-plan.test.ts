import { describe, expect, it } from "vitest";
import type { Service } from "../../core/k8s/services/types";
import type { Pod } from "../../core/k8s/types";
import { desiredEndpoints, desiredSlices, managesEndpoints } from "./endpoints-plan";

const service: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default", uid: "svc-uid" },
  spec: {
    selector: { app: "web" },
    ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
  },
};

function pod(
  name: string,
  ip: string,
  opts: { ready?: boolean; labels?: Record<string, string>; deleting?: boolean; port?: number } = {},
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `${name}-uid`,
      labels: opts.labels ?? { app: "web" },
      ...(opts.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec: {
      nodeName: "n1",
      containers: [
        { name: "c", image: "nginx", ports: [{ name: "http", containerPort: opts.port ?? 8080 }] },
      ],
    },
    status: {
      phase: "Running",
      podIP: ip,
      conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }],
    },
  } as Pod;
}

describe("desiredEndpoints", () => {
  it("lists ready pods in addresses and the others in notReadyAddresses, named ports resolved", () => {
    const ep = desiredEndpoints(service, [
      pod("b", "10.0.0.12"),
      pod("a", "10.0.0.9"),
      pod("c", "10.0.0.3", { ready: false }),
      pod("other", "10.0.0.4", { labels: { app: "db" } }),
    ]);
    expect(ep.subsets).toEqual([
      {
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
        addresses: [
          expect.objectContaining({ ip: "10.0.0.9", nodeName: "n1" }),
          expect.objectContaining({ ip: "10.0.0.12" }),
        ],
        notReadyAddresses: [expect.objectContaining({ ip: "10.0.0.3" })],
      },
    ]);
    expect(ep.subsets?.[0]?.addresses?.[0]?.targetRef).toEqual({
      kind: "Pod",
      namespace: "default",
      name: "a",
      uid: "a-uid",
    });
  });

  it("drops terminating pods and pods without an IP, and groups pods whose named port differs", () => {
    const noIp = pod("x", "");
    const ep = desiredEndpoints(service, [
      pod("a", "10.0.0.1"),
      pod("d", "10.0.0.2", { deleting: true }),
      noIp,
      pod("e", "10.0.0.5", { port: 9090 }),
    ]);
    expect(ep.subsets?.map((s) => [s.ports?.[0]?.port, s.addresses?.map((a) => a.ip)])).toEqual([
      [8080, ["10.0.0.1"]],
      [9090, ["10.0.0.5"]],
    ]);
    expect(desiredEndpoints(service, []).subsets).toBeUndefined();
  });
});

describe("desiredSlices", () => {
  it("keeps terminating endpoints with their conditions, labelled and owned by the Service", () => {
    const [slice, ...rest] = desiredSlices(service, [
      pod("a", "10.0.0.1"),
      pod("d", "10.0.0.2", { deleting: true }),
    ]);
    expect(rest).toEqual([]);
    expect(slice?.metadata.name).toMatch(/^web-[0-9a-f]{5}$/);
    expect(slice?.metadata.labels).toMatchObject({ "kubernetes.io/service-name": "web" });
    expect(slice?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: "Service",
      uid: "svc-uid",
      controller: true,
    });
    expect(slice?.endpoints.map((e) => [e.addresses[0], e.conditions])).toEqual([
      ["10.0.0.1", { ready: true, serving: true, terminating: false }],
      ["10.0.0.2", { ready: false, serving: true, terminating: true }],
    ]);
    expect(slice?.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
  });

  it("gives a Service without pods one empty slice, under a stable name", () => {
    const a = desiredSlices(service, []);
    expect(a).toHaveLength(1);
    expect(a[0]?.endpoints).toEqual([]);
    expect(desiredSlices(service, [])[0]?.metadata.name).toBe(a[0]?.metadata.name);
  });
});

describe("managesEndpoints", () => {
  it("leaves selectorless and ExternalName services to their users", () => {
    expect(managesEndpoints(service)).toBe(true);
    expect(managesEndpoints({ ...service, spec: { ports: [] } })).toBe(false);
    expect(managesEndpoints({ ...service, spec: { ...service.spec, type: "ExternalName" } })).toBe(false);
  });
});
