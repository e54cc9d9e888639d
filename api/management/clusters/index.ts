import { OpenAPIHono } from "@hono/zod-openapi";
import { formatBudget } from "../../../core/k8s/budget";
import { renderKubeconfig } from "../../../core/kubeconfig";
import { effectiveBudget } from "../../../core/tenants";
import { clusterToken, hashToken } from "../../../core/tokens";
import { budgetUsage } from "../../../db/budget-admission";
import { type ClusterRow, type ClusterWithTenant, TenantUnavailable } from "../../../db/clusters";
import { NetworkPoolExhausted } from "../../../db/networks";
import type { AppEnv } from "../../env";
import { forgetClusterToken, markAwake } from "../../kube/auth";
import { budgetFrom, ceilingOf, requireWithinCeiling } from "../budget";
import { ApiError } from "../errors";
import { requireTenant, scopedCluster, scopedTenant } from "../scope";
import { validationHook } from "../validation";
import {
  createCluster,
  deleteCluster,
  getCluster,
  getKubeconfig,
  listClusters,
  resetCluster,
  rotateKubeconfig,
  updateCluster,
  wakeCluster,
} from "./routes";

type Deps = AppEnv["Variables"]["deps"];

function serverUrl(deps: Deps, id: string): string {
  return `${deps.config.kubeUrl}/clusters/${id}`;
}

/** The cluster as the management API shows it (`id` first: scripts read it off the front of the JSON). */
export function clusterView(deps: Deps, row: ClusterRow & { tenant: string }) {
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    phase: row.phase as "Active" | "Sleeping" | "Resetting" | "Terminating",
    server: serverUrl(deps, row.id),
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

/** The token of the cluster's current generation, in a kubeconfig that `kubectl --kubeconfig` uses unchanged. */
export function kubeconfigOf(deps: Deps, row: ClusterRow): string {
  return renderKubeconfig({
    name: row.name,
    server: serverUrl(deps, row.id),
    token: clusterToken(deps.config.tokenSecret, row.id, row.tokenGeneration),
    certificateAuthority: deps.config.certificateAuthority,
  });
}

/** How a new cluster's token hash is derived: generation 0 of its id. */
export const firstTokenHash = (deps: Deps) => (id: string) =>
  hashToken(clusterToken(deps.config.tokenSecret, id));

/** Creation failures that are the caller's or the platform's capacity, in the management API's words. */
export function creationError(err: unknown): never {
  if (err instanceof NetworkPoolExhausted) throw new ApiError(503, "capacity_exhausted", err.message);
  if (err instanceof TenantUnavailable)
    throw new ApiError(err.status, err.status === 404 ? "not_found" : "conflict", err.message);
  throw err;
}

/** Tears a cluster down: Terminating now, containers and network removed by the teardown controller. */
export async function startTeardown(deps: Deps, id: string): Promise<void> {
  await deps.clusters.markTerminating(id);
}

/** The cluster with its budget and what its pods use of it now. */
async function detail(deps: Deps, row: ClusterWithTenant) {
  const budget = effectiveBudget(deps.config.budget, row.tenantBudget, row.budget);
  const usage = await budgetUsage(deps.db, row.id, deps.config.containerDefaults);
  return {
    ...clusterView(deps, row),
    budget: formatBudget(budget),
    usage: formatBudget({ ...usage, storageBytes: row.storedBytes }),
  };
}

export const clustersApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createCluster, async (c) => {
    const deps = c.var.deps;
    const principal = c.var.principal;
    const body = c.req.valid("json");
    const tenant = body.tenant ?? (principal.kind === "teacher" ? principal.tenant : "default");
    requireTenant(principal, tenant);
    const row = await deps.clusters
      .create({
        tenant,
        name: body.name,
        tokenHashFor: firstTokenHash(deps),
        createTenant: principal.kind === "admin",
        ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt) } : {}),
      })
      .catch(creationError);
    if (!row)
      throw new ApiError(409, "already_exists", `cluster ${body.name} already exists in tenant ${tenant}`);
    return c.json({ ...clusterView(deps, { ...row, tenant }), kubeconfig: kubeconfigOf(deps, row) }, 201);
  })
  .openapi(listClusters, async (c) => {
    const deps = c.var.deps;
    const principal = c.var.principal;
    const wanted = c.req.valid("query").tenant;
    let tenantId: string | undefined;
    if (principal.kind === "teacher") {
      if (wanted !== undefined) requireTenant(principal, wanted);
      tenantId = principal.tenantId;
    } else if (wanted !== undefined) tenantId = (await scopedTenant(deps, principal, wanted)).id;
    const rows = await deps.clusters.list(tenantId ? { tenantId } : {});
    return c.json({ items: rows.map((r) => clusterView(deps, r)) }, 200);
  })
  .openapi(getCluster, async (c) => {
    const deps = c.var.deps;
    return c.json(
      await detail(deps, await scopedCluster(deps, c.var.principal, c.req.valid("param").id)),
      200,
    );
  })
  .openapi(updateCluster, async (c) => {
    const deps = c.var.deps;
    const principal = c.var.principal;
    const row = await scopedCluster(deps, principal, c.req.valid("param").id);
    const change = budgetFrom(c.req.valid("json").budget, "budget");
    if (principal.kind === "teacher") {
      // the admin's ceiling for the class bounds what its teacher sets; the admin sets any amount
      const tenant = await scopedTenant(deps, principal, row.tenant);
      requireWithinCeiling(change, ceilingOf(deps, tenant), "budget");
    }
    const budget = { ...(row.budget ?? {}), ...change };
    await deps.clusters.setBudget(row.id, budget);
    return c.json(await detail(deps, { ...row, budget }), 200);
  })
  .openapi(getKubeconfig, async (c) => {
    const deps = c.var.deps;
    const row = await scopedCluster(deps, c.var.principal, c.req.valid("param").id);
    return c.body(kubeconfigOf(deps, row), 200, { "content-type": "application/yaml" });
  })
  .openapi(rotateKubeconfig, async (c) => {
    const deps = c.var.deps;
    const row = await scopedCluster(deps, c.var.principal, c.req.valid("param").id);
    const rotated = await deps.clusters.rotateToken(row.id, (id, generation) =>
      hashToken(clusterToken(deps.config.tokenSecret, id, generation)),
    );
    if (!rotated) throw new ApiError(404, "not_found", `cluster ${row.id} not found`);
    // this process refuses the old token from now on; other replicas once their 2 s cache entry lapses
    forgetClusterToken(rotated.before.tokenHash);
    return c.body(kubeconfigOf(deps, rotated.after), 200, { "content-type": "application/yaml" });
  })
  .openapi(resetCluster, async (c) => {
    const deps = c.var.deps;
    const row = await scopedCluster(deps, c.var.principal, c.req.valid("param").id);
    const marked = await deps.clusters.markResetting(row.id);
    if (!marked) throw new ApiError(404, "not_found", `cluster ${row.id} not found`);
    if (marked.phase === "Terminating")
      throw new ApiError(409, "conflict", `cluster ${row.id} is being torn down`);
    return c.json(clusterView(deps, { ...row, ...marked }), 202);
  })
  .openapi(deleteCluster, async (c) => {
    const deps = c.var.deps;
    const row = await scopedCluster(deps, c.var.principal, c.req.valid("param").id);
    await startTeardown(deps, row.id);
    return c.json(clusterView(deps, { ...row, phase: "Terminating" }), 202);
  })
  .openapi(wakeCluster, async (c) => {
    const deps = c.var.deps;
    const row = await scopedCluster(deps, c.var.principal, c.req.valid("param").id);
    const woke = await deps.clusters.wake(row.id);
    if (woke) markAwake(row.id);
    return c.json(clusterView(deps, woke ? { ...row, phase: "Active" } : row), 200);
  });
