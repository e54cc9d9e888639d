import type { MiddlewareHandler } from "hono";
import { kubeErrors } from "../../core/k8s/errors";
import { type BoundObject, looksLikeJwt, verifyServiceAccountToken } from "../../core/service-account-tokens";
import { hashToken, safeEqual } from "../../core/tokens";
import { isUuid } from "../../core/uuid";
import type { ClusterRow } from "../../db/clusters";
import type { ApiDeps, AppEnv, Principal } from "../env";
import { bearerToken } from "../management/auth";

const CACHE_MS = 2000;

/**
 * A short-lived cache of cluster rows by token hash, so each request does not pay a lookup. A rotated token
 * is evicted here at once (forgetClusterToken); another API replica may still take it for up to CACHE_MS.
 */
const byHash = new Map<string, { row: ClusterRow | undefined; until: number }>();

/** Forgets a token this process may have cached: called when a cluster's token is rotated or revoked. */
export function forgetClusterToken(hash: string): void {
  byHash.delete(hash);
}

/** The cluster woke: this process's cached rows of it say so at once, as the database does. */
export function markAwake(clusterId: string): void {
  for (const entry of byHash.values())
    if (entry.row?.id === clusterId && entry.row.phase === "Sleeping")
      entry.row = { ...entry.row, phase: "Active" };
}

/** The cluster whose token this is, from a short-lived cache. */
async function clusterByToken(deps: ApiDeps, token: string): Promise<ClusterRow | undefined> {
  const hash = hashToken(token);
  const now = Date.now();
  let cached = byHash.get(hash);
  if (!cached || cached.until < now) {
    cached = { row: await deps.clusters.byTokenHash(hash), until: now + CACHE_MS };
    if (byHash.size >= 4096) for (const [h, e] of byHash) if (e.until < now) byHash.delete(h);
    byHash.set(hash, cached);
  }
  return cached.row;
}

/**
 * Authenticates a Kubernetes API request: the admin token reaches every cluster, a cluster token only its
 * own (403 elsewhere), and no or an unknown token gets kube-apiserver's 401.
 */
export async function authenticate(
  deps: ApiDeps,
  clusterId: string,
  authorization: string | undefined,
): Promise<{ cluster: ClusterRow; principal: Principal }> {
  const token = bearerToken(authorization);
  if (!token) throw kubeErrors.unauthorized();
  if (safeEqual(token, deps.config.adminToken)) {
    const row = isUuid(clusterId) ? await deps.clusters.get(clusterId) : undefined;
    if (!row) throw kubeErrors.notFound("clusters", "", clusterId);
    return { cluster: row, principal: { kind: "admin" } };
  }
  if (looksLikeJwt(token)) return serviceAccount(deps, clusterId, token);
  const row = await clusterByToken(deps, token);
  // a cluster being torn down no longer answers its student
  if (!row || row.phase === "Terminating") throw kubeErrors.unauthorized();
  if (row.id !== clusterId) {
    throw kubeErrors.forbidden(
      `forbidden: the token of cluster "${row.name}" is not valid for cluster ${clusterId}`,
    );
  }
  return { cluster: row, principal: { kind: "cluster", clusterId: row.id } };
}

/**
 * A ServiceAccount token: signed here, unexpired, for this cluster, its account still the one it was issued
 * to (a deleted and recreated account invalidates it) and the pod or secret it is bound to still there, as
 * kube-apiserver checks bound tokens.
 */
async function serviceAccount(deps: ApiDeps, clusterId: string, token: string) {
  const claims = verifyServiceAccountToken(deps.config.tokenSecret, token, deps.now());
  if (!claims || claims["timonier.io/cluster"] !== clusterId) throw kubeErrors.unauthorized();
  const { namespace, serviceaccount, pod, secret } = claims["kubernetes.io"];
  const exists = async (resource: string, bound: BoundObject | undefined) => {
    if (!bound) return true;
    const object = await deps.store.get({ clusterId, group: "", resource, namespace, name: bound.name });
    return object?.metadata.uid === bound.uid;
  };
  const valid = await Promise.all([
    exists("serviceaccounts", serviceaccount),
    exists("pods", pod),
    exists("secrets", secret),
  ]);
  const row = valid.every(Boolean) ? await deps.clusters.get(clusterId) : undefined;
  if (!row) throw kubeErrors.unauthorized();
  const principal: Principal = { kind: "serviceaccount", clusterId, namespace, name: serviceaccount.name };
  return { cluster: row, principal };
}

export function clusterAuth(): MiddlewareHandler<AppEnv> {
  return async function clusterAuth(c, next) {
    const { cluster, principal } = await authenticate(
      c.var.deps,
      c.req.param("cluster") ?? "",
      c.req.header("authorization"),
    );
    c.set("principal", principal);
    c.set("cluster", cluster);
    await next();
  };
}

/**
 * The cluster a bearer token belongs to (a cluster's token, or one of its ServiceAccounts'), for requests
 * made without the `/clusters/<id>` prefix: `kubectl get --raw /api/v1/...` drops the kubeconfig's path.
 */
export async function clusterOfToken(
  deps: ApiDeps,
  authorization: string | undefined,
): Promise<string | undefined> {
  const token = bearerToken(authorization);
  if (!token) return undefined;
  if (looksLikeJwt(token))
    return verifyServiceAccountToken(deps.config.tokenSecret, token, deps.now())?.["timonier.io/cluster"];
  return (await clusterByToken(deps, token))?.id;
}
