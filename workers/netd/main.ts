import { readFileSync, watchFile } from "node:fs";
import { FIREWALL_TABLE_PREFIX } from "../../core/network/nftables";
import { holdAddresses } from "./addresses";
import { ApiRelay } from "./api-relay";
import type { NetdConfig } from "./config";
import { confine } from "./confine";
import { DnsServer } from "./dns";
import { loadRuleset, sweepTables, tableOf } from "./firewall";
import { HttpGatewayServer } from "./http-gateway";
import { KubeApiServer } from "./kube-api";
import { ServiceProxy } from "./proxy";
import { holdRoutes, RELAY_RULESET } from "./relay";

/**
 * netd: the data path of the platform's networking, in a container built from this repository. In a
 * cluster's network it holds the ClusterIPs, proxies them to ready pods and serves the cluster's DNS; on a
 * node's host network (the gateway) it serves NodePorts, LoadBalancer addresses and Ingress, and holds the
 * host's firewall that enforces NetworkPolicy between pods. It follows the configuration file the node agent
 * copies in. A cluster's netd also serves the cluster's Kubernetes API to its pods, through the gateway's
 * relay to the platform API.
 */
const path = process.argv[2] ?? "/etc/timonier/netd.json";

function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), message, ...fields })}\n`);
}

const proxy = new ServiceProxy(log);
const dns = new DnsServer(log);
const http = new HttpGatewayServer(log);
const kubeApi = new KubeApiServer(log);
const apiRelay = new ApiRelay(log);
let applied = "";
let firewall = "";
let relaying = false;
let applying = Promise.resolve();

/** Loads the firewall; a failure is logged and retried, and keeps nothing else (NodePorts, Ingress) down. */
async function enforce(ruleset: string): Promise<void> {
  try {
    await loadRuleset(ruleset);
    firewall = ruleset;
    const own = tableOf(ruleset);
    const swept = own ? await sweepTables(own, FIREWALL_TABLE_PREFIX) : [];
    if (swept.length) log("firewall tables of removed nodes deleted", { swept });
  } catch (e) {
    log("firewall failed", { error: (e as Error).message });
  }
}

async function apply(): Promise<void> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return;
  }
  if (text === applied) return;
  const { config, dropped } = confine(JSON.parse(text) as NetdConfig);
  if (dropped.length) log("backends outside the cluster's pod range refused", { dropped });
  // the gateway runs on the host's network: it must never touch the host's interfaces
  if (process.env.NETD_MODE !== "gateway") await holdAddresses(config.addresses);
  if (config.firewall !== undefined && config.firewall !== firewall) await enforce(config.firewall);
  if (config.relay && !relaying) {
    await loadRuleset(RELAY_RULESET);
    relaying = true;
  }
  if (config.routes) await holdRoutes(config.routes);
  proxy.apply(config.rules, config.policy);
  dns.apply(config.dns, config.policy);
  http.apply(config.http);
  kubeApi.apply(config.kubeApi);
  apiRelay.apply(config.apiRelay);
  applied = text;
  log("configuration applied", { rules: config.rules.length, addresses: config.addresses.length });
}

function schedule(): void {
  applying = applying.then(apply).catch((e: Error) => {
    applied = "";
    log("configuration failed", { error: e.message });
  });
}

watchFile(path, { interval: 100 }, schedule);
// listeners that failed are retried, a firewall changed behind netd's back is restored
setInterval(() => {
  applied = "";
  firewall = "";
  relaying = false;
  schedule();
}, 5000);
schedule();
process.on("SIGTERM", () => process.exit(0));
