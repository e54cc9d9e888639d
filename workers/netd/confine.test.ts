import { describe, expect, it } from "vitest";
import type { NetdConfig } from "./config";
import { confine } from "./confine";

describe("netd's own confinement of backends", () => {
  it("drops any backend outside its rule's or route's allowed range", () => {
    const told: NetdConfig = {
      addresses: [],
      rules: [
        {
          name: "default/web:80",
          ip: "0.0.0.0",
          port: 30080,
          protocol: "TCP",
          allowed: "10.128.6.0/24",
          backends: [
            { ip: "10.128.6.5", port: 80 },
            { ip: "127.0.0.1", port: 5432 },
            { ip: "10.128.8.5", port: 80 },
          ],
        },
      ],
      http: {
        port: 8880,
        routes: [
          {
            path: "/",
            pathType: "Prefix",
            allowed: "10.128.6.0/24",
            backends: [{ ip: "172.17.0.1", port: 8080 }],
          },
        ],
      },
    };
    const { config, dropped } = confine(told);
    expect(config.rules[0]?.backends).toEqual([{ ip: "10.128.6.5", port: 80 }]);
    expect(config.http?.routes[0]?.backends).toEqual([]);
    expect(dropped.map((b) => b.ip)).toEqual(["127.0.0.1", "10.128.8.5", "172.17.0.1"]);
  });

  it("drops everything from a rule that names no range", () => {
    const rule = {
      name: "x",
      ip: "0.0.0.0",
      port: 1,
      protocol: "TCP" as const,
      backends: [{ ip: "10.0.0.1", port: 1 }],
    };
    const { config } = confine({ addresses: [], rules: [rule as never] });
    expect(config.rules[0]?.backends).toEqual([]);
  });
});
