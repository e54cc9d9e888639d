import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Route } from "./config";

const run = promisify(execFile);

/** The routing protocol number netd's routes carry in the host's table: the ones it owns and may delete. */
const ROUTE_PROTO = "211";

/**
 * A cluster netd on an overlay network: what the node's host sends it on docker_gwbridge (eth1) for the
 * cluster's pods goes on to the overlay (eth0) under netd's own overlay address, so that pods on any node
 * answer through it. Nothing else is forwarded: containers of the bridge cannot reach each other (Docker
 * makes it with inter-container traffic off), so this opens the overlay to the node's host only.
 */
export const RELAY_RULESET = `table ip timonier-relay {}
delete table ip timonier-relay
table ip timonier-relay {
  chain forward {
    type filter hook forward priority 0; policy drop;
    iifname "eth1" oifname "eth0" meta mark set 0x2f1 accept
    iifname "eth0" oifname "eth1" ct state established,related accept
  }
  chain postrouting {
    type nat hook postrouting priority 100;
    meta mark 0x2f1 masquerade
  }
}
`;

/** The routes netd added to the host's main table, as `to via` pairs. */
async function owned(): Promise<Route[]> {
  const { stdout } = await run("ip", ["-4", "-o", "route", "show", "proto", ROUTE_PROTO]);
  return [...stdout.matchAll(/^(\S+) via (\S+)/gm)].map((m) => ({ to: m[1] as string, via: m[2] as string }));
}

/**
 * The node's gateway: exactly `wanted` among its own routes in the host's table, each cluster's pod range
 * through that cluster's netd, so NodePorts, LoadBalancers and Ingress reach pods on any node.
 */
export async function holdRoutes(wanted: Route[]): Promise<void> {
  const current = await owned();
  const same = (a: Route) => (b: Route) => a.to === b.to && a.via === b.via;
  for (const r of wanted.filter((w) => !current.some(same(w))))
    await run("ip", ["route", "replace", r.to, "via", r.via, "proto", ROUTE_PROTO]);
  for (const r of current.filter((c) => !wanted.some(same(c))))
    await run("ip", ["route", "del", r.to, "via", r.via, "proto", ROUTE_PROTO]).catch(() => undefined);
}
