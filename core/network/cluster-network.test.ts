import { describe, expect, it } from "vitest";
import { formatIp, parseCidr, parseIp, subnetAt } from "./cidr";
import { clusterNetwork, serviceAddresses } from "./cluster-network";

describe("clusterNetwork", () => {
  it("splits a /23 into pod and service halves", () => {
    const n = clusterNetwork("10.128.6.0/23");
    expect(n).toEqual({
      cidr: "10.128.6.0/23",
      gateway: "10.128.6.1",
      podRange: "10.128.6.0/24",
      serviceRange: "10.128.7.0/24",
      kubernetesIp: "10.128.7.1",
      dnsIp: "10.128.7.10",
    });
    const { first, last } = serviceAddresses(n);
    expect([formatIp(first), formatIp(last)]).toEqual(["10.128.7.1", "10.128.7.254"]);
  });

  it("refuses blocks too small to split", () => {
    expect(() => clusterNetwork("10.0.0.0/30")).toThrow(/invalid cluster network/);
    expect(() => clusterNetwork("nope")).toThrow(/invalid cluster network/);
  });
});

describe("cidr", () => {
  it("parses, masks and indexes blocks", () => {
    expect(parseIp("10.1.2.300")).toBeUndefined();
    expect(parseCidr("10.1.2.3/16")).toEqual({ base: parseIp("10.1.0.0"), bits: 16 });
    const pool = parseCidr("10.128.0.0/9");
    if (!pool) throw new Error("pool");
    expect(formatIp(subnetAt(pool, 23, 3).base)).toBe("10.128.6.0");
  });
});
