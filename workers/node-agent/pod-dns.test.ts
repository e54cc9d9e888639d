import { describe, expect, it } from "vitest";
import type { Pod } from "../../core/k8s/types";
import { podDns } from "./pod-dns";

function pod(spec: Record<string, unknown> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "shop" },
    spec: { containers: [], ...spec },
  } as Pod;
}

describe("podDns", () => {
  it("points ClusterFirst pods at the cluster DNS with Kubernetes' search path", () => {
    expect(podDns(pod(), "10.128.7.10")).toEqual({
      servers: ["10.128.7.10"],
      searches: ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"],
      options: ["ndots:5"],
    });
  });

  it("merges dnsConfig: extra servers and searches, options overriding by name", () => {
    const dns = podDns(
      pod({
        dnsConfig: {
          nameservers: ["1.2.3.4"],
          searches: ["corp.example"],
          options: [{ name: "ndots", value: "2" }, { name: "edns0" }],
        },
      }),
      "10.128.7.10",
    );
    expect(dns?.servers).toEqual(["10.128.7.10", "1.2.3.4"]);
    expect(dns?.searches).toContain("corp.example");
    expect(dns?.options).toEqual(["ndots:2", "edns0"]);
  });

  it("keeps the node's resolver for Default and uses only dnsConfig for None", () => {
    expect(podDns(pod({ dnsPolicy: "Default" }), "10.128.7.10")).toBeUndefined();
    expect(
      podDns(pod({ dnsPolicy: "None", dnsConfig: { nameservers: ["9.9.9.9"] } }), "10.128.7.10"),
    ).toEqual({
      servers: ["9.9.9.9"],
      searches: [],
      options: [],
    });
  });
});
