import { isPodAddress } from "../../core/network/cluster-network";
import type { Backend, NetdConfig } from "./config";

/**
 * The configuration with every backend outside its rule's or route's `allowed` range dropped, and how many
 * were: netd refuses to relay anywhere but to the owning cluster's pods, whatever it was told. Pure.
 */
export function confine(config: NetdConfig): { config: NetdConfig; dropped: Backend[] } {
  const dropped: Backend[] = [];
  const keep = (backends: Backend[], allowed: string) =>
    backends.filter((b) => {
      const inside = isPodAddress(allowed ?? "", b.ip);
      if (!inside) dropped.push(b);
      return inside;
    });
  const rules = config.rules.map((r) => ({ ...r, backends: keep(r.backends, r.allowed) }));
  const http = config.http && {
    ...config.http,
    routes: config.http.routes.map((r) => ({ ...r, backends: keep(r.backends, r.allowed) })),
  };
  return { config: { ...config, rules, ...(http ? { http } : {}) }, dropped };
}
