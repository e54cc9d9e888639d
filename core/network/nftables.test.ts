import { describe, expect, it } from "vitest";
import { firewallRuleset, firewallTable } from "./nftables";

describe("firewallRuleset", () => {
  it("without clusters to police: no table at all, any older one deleted", () => {
    expect(firewallTable("test-node.1")).toBe("timonier_test_node_1");
    expect(firewallRuleset("timonier_n1", [])).toBe(
      ["table inet timonier_n1 {}", "delete table inet timonier_n1", ""].join("\n"),
    );
  });

  it("lets a cluster without isolated pods through, replies and netd first", () => {
    expect(firewallRuleset("timonier_n1", [{ bridge: "br-1", serviceRange: "10.0.1.0/24", table: {} }])).toBe(
      [
        "table inet timonier_n1 {}",
        "delete table inet timonier_n1",
        "table inet timonier_n1 {",
        "  chain forward {",
        "    type filter hook forward priority filter - 5; policy accept;",
        "    ct state established,related accept",
        '    iifname "br-1" ip saddr 10.0.1.0/24 accept',
        '    iifname "br-1" ip daddr 10.0.1.0/24 accept',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("sends isolated pods through chains that return for what is allowed and drop the rest", () => {
    const text = firewallRuleset("timonier_n1", [
      {
        bridge: "br-0123456789ab",
        serviceRange: "10.0.1.0/24",
        table: {
          "10.0.0.2": {
            ip: "10.0.0.2",
            ingress: [
              {
                peers: [{ cidr: "10.0.0.4/32" }, { cidr: "10.0.0.0/24", except: ["10.0.0.8/29", "bogus"] }],
                ports: [
                  { protocol: "TCP", from: 80, to: 80 },
                  { protocol: "UDP", from: 5000, to: 5010 },
                ],
              },
            ],
          },
          "10.0.0.3": { ip: "10.0.0.3", egress: [] },
          "10.0.0.4": {
            ip: "10.0.0.4",
            egress: [{ peers: [{ cidr: "0.0.0.0/0" }], ports: [{ protocol: "SCTP", from: 1, to: 65535 }] }],
            ingress: [{ peers: [{ cidr: "10.0.0.5/32" }, { cidr: "nope/33" }] }],
          },
        },
      },
    ]);
    const lines = text.split("\n");
    expect(lines).toContain('    iifname "br-0123456789ab" ip saddr 10.0.1.0/24 accept');
    expect(lines).toContain('    iifname "br-0123456789ab" ip daddr 10.0.1.0/24 accept');
    expect(lines).toContain(
      '    iifname "br-0123456789ab" ip saddr vmap { 10.0.0.3 : jump e0_1, 10.0.0.4 : jump e0_2 }',
    );
    expect(lines).toContain(
      '    oifname "br-0123456789ab" ip daddr vmap { 10.0.0.2 : jump i0_0, 10.0.0.4 : jump i0_2 }',
    );
    const chain = (name: string) => {
      const start = lines.indexOf(`  chain ${name} {`);
      return lines.slice(start + 1, lines.indexOf("  }", start));
    };
    expect(chain("i0_0")).toEqual([
      "    ip saddr 10.0.0.4/32 meta l4proto tcp th dport 80 return",
      "    ip saddr 10.0.0.4/32 meta l4proto udp th dport 5000-5010 return",
      "    ip saddr 10.0.0.0/24 ip saddr != 10.0.0.8/29 meta l4proto tcp th dport 80 return",
      "    ip saddr 10.0.0.0/24 ip saddr != 10.0.0.8/29 meta l4proto udp th dport 5000-5010 return",
      "    drop",
    ]);
    expect(chain("e0_1")).toEqual(["    drop"]);
    expect(chain("e0_2")).toEqual(["    meta nfproto ipv4 meta l4proto sctp return", "    drop"]);
    expect(chain("i0_2")).toEqual(["    ip saddr 10.0.0.5/32 return", "    drop"]);
    // replies and netd come before any pod's chain
    expect(lines.indexOf("    ct state established,related accept")).toBeLessThan(
      lines.findIndex((l) => l.includes("vmap")),
    );
  });
});
