import type { MiddlewareHandler } from "hono";
import { looksLikeJwt } from "../../core/service-account-tokens";
import { CLUSTER_TOKEN_PREFIX, hashToken, safeEqual, TEACHER_TOKEN_PREFIX } from "../../core/tokens";
import type { ApiDeps, AppEnv, Principal } from "../env";
import { ApiError } from "./errors";

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return m?.[1]?.trim();
}

/**
 * Who may use the management API: the platform admin, or a teacher for their own class (each route checks
 * the scope: api/management/scope.ts). A missing token is a 401; a cluster's token, a ServiceAccount's or
 * any unknown token a 403. Teacher tokens are looked up on every request, uncached, so a rotated or
 * revoked one stops working at once on every replica.
 */
export function managementAuth(): MiddlewareHandler<AppEnv> {
  return async function managementAuth(c, next) {
    c.set("principal", await principalOf(c.var.deps, bearerToken(c.req.header("authorization"))));
    return next();
  };
}

/**
 * Who a token is: the admin, or the teacher of the class whose token it is. A missing token is a 401; a
 * cluster's token, a ServiceAccount's or any unknown token a 403.
 */
export async function principalOf(deps: ApiDeps, token: string | undefined): Promise<Principal> {
  if (!token) throw new ApiError(401, "unauthorized", "missing bearer token");
  if (safeEqual(token, deps.config.adminToken)) return { kind: "admin" };
  if (token.startsWith(TEACHER_TOKEN_PREFIX)) {
    const tenant = await deps.tenants.byTokenHash(hashToken(token));
    if (!tenant) throw new ApiError(403, "forbidden", "invalid token");
    return { kind: "teacher", tenantId: tenant.id, tenant: tenant.name };
  }
  if (token.startsWith(CLUSTER_TOKEN_PREFIX) || looksLikeJwt(token))
    throw new ApiError(
      403,
      "forbidden",
      "a cluster's token opens only that cluster's Kubernetes API, never the management API",
    );
  throw new ApiError(403, "forbidden", "invalid token");
}
