import type { ClusterWithTenant } from "../../db/clusters";
import type { TenantWithCount } from "../../db/tenants";
import type { AppEnv, Principal } from "../env";
import { ApiError } from "./errors";

type Deps = AppEnv["Variables"]["deps"];

/**
 * What a teacher's token reaches: its own tenant, and nothing else. Outside it the answer is a 403 with the
 * error body, whether the thing exists or not where it is named by a tenant name (a teacher cannot probe
 * other classes' names). A cluster is named by its random id: an unknown id is a 404, another class's a 403.
 */
function outsideClass(principal: Extract<Principal, { kind: "teacher" }>, what: string): ApiError {
  return new ApiError(
    403,
    "forbidden",
    `${what} is outside class ${principal.tenant}: this teacher token manages that class only`,
  );
}

/** Only the platform admin may do `action`. */
export function requireAdmin(principal: Principal, action: string): void {
  if (principal.kind !== "admin")
    throw new ApiError(403, "forbidden", `only the platform admin may ${action}`);
}

/** The admin reaches every tenant, a teacher only their own (403 for any other name, existing or not). */
export function requireTenant(principal: Principal, tenant: string): void {
  if (principal.kind === "admin") return;
  if (principal.kind !== "teacher" || principal.tenant !== tenant)
    throw principal.kind === "teacher"
      ? outsideClass(principal, `class ${tenant}`)
      : new ApiError(403, "forbidden", "not allowed");
}

/** The tenant of that name, if the caller may reach it: 403 outside a teacher's class, 404 when absent. */
export async function scopedTenant(deps: Deps, principal: Principal, name: string): Promise<TenantWithCount> {
  requireTenant(principal, name);
  const row = await deps.tenants.get(name);
  if (!row) throw new ApiError(404, "not_found", `tenant ${name} not found`);
  return row;
}

/** The cluster of that id, if the caller may reach it: 404 when absent, 403 in another teacher's class. */
export async function scopedCluster(
  deps: Deps,
  principal: Principal,
  id: string,
): Promise<ClusterWithTenant> {
  const row = await deps.clusters.get(id);
  if (!row) throw new ApiError(404, "not_found", `cluster ${id} not found`);
  if (principal.kind === "admin") return row;
  if (principal.kind === "teacher" && principal.tenantId === row.tenantId) return row;
  throw principal.kind === "teacher"
    ? outsideClass(principal, `cluster ${id}`)
    : new ApiError(403, "forbidden", "not allowed");
}
