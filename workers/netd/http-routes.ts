import type { HttpRoute } from "./config";

export function hostMatches(pattern: string | undefined, host: string): boolean {
  if (!pattern) return true;
  if (pattern.startsWith(".")) return host === pattern.slice(1) || host.endsWith(pattern);
  if (pattern.startsWith("*.")) {
    const suffix = pattern.slice(1);
    return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes(".");
  }
  return pattern === host;
}

function pathMatches(route: HttpRoute, path: string): boolean {
  if (route.pathType === "Exact") return route.path === path;
  const prefix = route.path.replace(/\/+$/, "");
  if (prefix === "") return true;
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** Exact hosts first, then `*.` wildcards, then `.suffix` catch-alls, then routes for any host. */
function hostRank(host: string | undefined): number {
  if (!host) return 0;
  if (host.startsWith(".")) return 1;
  return host.startsWith("*.") ? 2 : 3;
}

/**
 * The Ingress rule a request follows, as the Ingress API specifies: hosts exact before wildcards, then the
 * longest matching path, Exact before Prefix at equal length. Pure.
 */
export function matchRoute(routes: HttpRoute[], host: string, path: string): HttpRoute | undefined {
  const name = host.toLowerCase().replace(/:\d+$/, "");
  const score = (r: HttpRoute) => [hostRank(r.host), r.path.length, r.pathType === "Exact" ? 1 : 0];
  let best: HttpRoute | undefined;
  let bestScore: number[] = [];
  for (const route of routes) {
    if (!hostMatches(route.host, name) || !pathMatches(route, path)) continue;
    const s = score(route);
    const better = s.findIndex((v, i) => v !== bestScore[i]);
    if (!best || (better >= 0 && (s[better] as number) > (bestScore[better] ?? -1))) {
      best = route;
      bestScore = s;
    }
  }
  return best;
}
