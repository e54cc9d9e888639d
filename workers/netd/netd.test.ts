import { describe, expect, it } from "vitest";
import type { DnsZone, HttpRoute } from "./config";
import { answer } from "./dns-zone";
import { matchRoute } from "./http-routes";

const zone: DnsZone = {
  listen: "10.128.7.10",
  domain: "cluster.local",
  records: {
    "web.shop.svc.cluster.local": { a: ["10.128.7.20"] },
    "_http._tcp.web.shop.svc.cluster.local": {
      srv: [{ priority: 0, weight: 100, port: 80, target: "web.shop.svc.cluster.local" }],
    },
    "search.shop.svc.cluster.local": { cname: "example.org" },
  },
};

const query = (name: string, type: "A" | "AAAA" | "SRV" = "A") => ({
  id: 7,
  type: "query" as const,
  flags: 0x0100,
  questions: [{ name, type, class: "IN" as const }],
});

describe("cluster DNS answers", () => {
  it("answers a Service's A record with authority", () => {
    const reply = answer(zone, query("web.shop.svc.cluster.local"));
    expect(reply?.answers).toEqual([
      { type: "A", name: "web.shop.svc.cluster.local", ttl: 5, data: "10.128.7.20" },
    ]);
    expect((reply?.flags ?? 0) & 0x0400).toBe(0x0400);
    expect((reply?.flags ?? 0) & 0xf).toBe(0);
  });

  it("says NODATA for other types of an existing name, NXDOMAIN for unknown names", () => {
    const aaaa = answer(zone, query("web.shop.svc.cluster.local", "AAAA"));
    expect(aaaa?.answers).toEqual([]);
    expect((aaaa?.flags ?? 0) & 0xf).toBe(0);
    expect((answer(zone, query("shop.svc.cluster.local"))?.flags ?? 0) & 0xf).toBe(0);
    expect((answer(zone, query("nope.shop.svc.cluster.local"))?.flags ?? 0) & 0xf).toBe(3);
  });

  it("answers SRV, ExternalName CNAMEs and pod names; leaves other zones upstream", () => {
    expect(answer(zone, query("_http._tcp.web.shop.svc.cluster.local", "SRV"))?.answers?.[0]).toMatchObject({
      type: "SRV",
      data: { port: 80, target: "web.shop.svc.cluster.local" },
    });
    expect(answer(zone, query("search.shop.svc.cluster.local"))?.answers?.[0]).toMatchObject({
      type: "CNAME",
      data: "example.org",
    });
    expect(answer(zone, query("10-128-6-4.shop.pod.cluster.local"))?.answers?.[0]).toMatchObject({
      data: "10.128.6.4",
    });
    expect(answer(zone, query("example.org"))).toBeUndefined();
  });
});

describe("ingress routing", () => {
  const route = (
    host: string | undefined,
    path: string,
    pathType: HttpRoute["pathType"],
    port: number,
  ): HttpRoute => ({
    ...(host ? { host } : {}),
    path,
    pathType,
    backends: [{ ip: "10.0.0.1", port }],
    allowed: "10.0.0.0/24",
  });
  const routes = [
    route("app.local", "/", "Prefix", 1),
    route("app.local", "/api", "Prefix", 2),
    route("app.local", "/api/v1", "Exact", 3),
    route("*.shop.local", "/", "Prefix", 4),
    route(undefined, "/", "Prefix", 5),
    route(".alice.example", "/", "Prefix", 6),
    route("app.alice.example", "/x", "Prefix", 7),
  ];
  const port = (host: string, path: string) => matchRoute(routes, host, path)?.backends[0]?.port;

  it("takes the longest matching path of the most specific host", () => {
    expect(port("app.local", "/")).toBe(1);
    expect(port("app.local:8880", "/api/users")).toBe(2);
    expect(port("app.local", "/apis")).toBe(1);
    expect(port("app.local", "/api/v1")).toBe(3);
    expect(port("a.shop.local", "/x")).toBe(4);
    expect(port("a.b.shop.local", "/x")).toBe(5);
    expect(port("other", "/")).toBe(5);
    expect(port("app.alice.example", "/x/y")).toBe(7);
    expect(port("app.alice.example", "/y")).toBe(6);
    expect(port("alice.example", "/")).toBe(6);
  });
});
