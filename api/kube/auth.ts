import type { MiddlewareHandler } from "hono";
import { kubeErrors } from "../../core/k8s/errors";
import { hashToken, safeEqual } from "../../core/tokens";
import type { ClusterRow } from "../../db/clusters";
import type { AppEnv } from "../env";
import { bearerToken } from "../management/auth";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CACHE_MS = 2000;

/** A short-lived cache of cluster rows by token hash, so each request does not pay a lookup. */
const byHash = new Map<string, { row: ClusterRow | undefined; until: number }>();

/**
 * Authenticates a Kubernetes API request: the admin token reaches every cluster, a cluster token only its
 * own (403 elsewhere), and no or an unknown token gets kube-apiserver's 401.
 */
export function clusterAuth(): MiddlewareHandler<AppEnv> {
  return async function clusterAuth(c, next) {
    const deps = c.var.deps;
    const clusterId = c.req.param("cluster") ?? "";
    const token = bearerToken(c.req.header("authorization"));
    if (!token) throw kubeErrors.unauthorized();
    let row: ClusterRow | undefined;
    if (safeEqual(token, deps.config.adminToken)) {
      c.set("principal", { kind: "admin" });
      row = UUID.test(clusterId) ? await deps.clusters.get(clusterId) : undefined;
      if (!row) throw kubeErrors.notFound("clusters", "", clusterId);
    } else {
      const hash = hashToken(token);
      const now = Date.now();
      let cached = byHash.get(hash);
      if (!cached || cached.until < now) {
        cached = { row: await deps.clusters.byTokenHash(hash), until: now + CACHE_MS };
        byHash.set(hash, cached);
      }
      row = cached.row;
      if (!row) throw kubeErrors.unauthorized();
      if (row.id !== clusterId) {
        throw kubeErrors.forbidden(
          `forbidden: the token of cluster "${row.name}" is not valid for cluster ${clusterId}`,
        );
      }
      c.set("principal", { kind: "cluster", clusterId: row.id });
    }
    c.set("cluster", row);
    await next();
  };
}
