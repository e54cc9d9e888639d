import { OpenAPIHono } from "@hono/zod-openapi";
import { checkProblem } from "../../../core/checks";
import { formatBudget } from "../../../core/k8s/budget";
import { effectiveBudget, formatDuration, parseDuration } from "../../../core/tenants";
import { hashToken, teacherToken } from "../../../core/tokens";
import { StudentsTerminating } from "../../../db/clusters";
import type { TenantRow, TenantSettings, TenantWithCount } from "../../../db/tenants";
import type { AppEnv } from "../../env";
import { budgetFrom, ceilingOf, requireWithinCeiling } from "../budget";
import { clusterView, creationError, firstTokenHash, kubeconfigOf, startTeardown } from "../clusters";
import { ApiError } from "../errors";
import { requireAdmin, scopedTenant } from "../scope";
import { validationHook } from "../validation";
import { gzippedTar } from "./archive";
import { chartView, tenantCharts } from "./charts";
import { classCheckResults, classOverview as classOverviewOf } from "./class-state";
import {
  checkResults,
  classOverview,
  createTenant,
  deleteTenant,
  getTenant,
  listTenants,
  postRoster,
  removeStudent,
  revokeTeacherToken,
  rotateTeacherToken,
  setChecks,
  updateTenant,
} from "./routes";

type Deps = AppEnv["Variables"]["deps"];

function view(deps: Deps, row: TenantWithCount) {
  return {
    name: row.name,
    phase: row.phase as "Active" | "Terminating",
    createdAt: row.createdAt.toISOString(),
    clusters: row.clusterCount,
    teacherToken: row.teacherTokenHash ? ("active" as const) : ("none" as const),
    budget: formatBudget(effectiveBudget(deps.config.budget, row.budget, undefined)),
    ceiling: formatBudget(ceilingOf(deps, row)),
    clusterLifetime: row.clusterLifetimeSeconds ? formatDuration(row.clusterLifetimeSeconds) : null,
    idleBeforeSleep: row.idleBeforeSleepSeconds ? formatDuration(row.idleBeforeSleepSeconds) : null,
    charts: row.charts.map(chartView),
  };
}

/** A duration setting in seconds (null clears it), refused with a 400 naming the field. */
function seconds(text: string | null, field: string): number | null {
  if (text === null) return null;
  const value = parseDuration(text);
  if (value === undefined || value > 400 * 86_400)
    throw new ApiError(
      400,
      "invalid",
      `${field}: ${JSON.stringify(text)} is not a duration between 1s and 400d (72h, 90m, 1h30m, 7d)`,
    );
  return value;
}

/** Wants the roster as one archive: `?format=tar`, or an Accept that names gzip (or tar) before JSON. */
function wantsArchive(format: string | undefined, accept: string | undefined): boolean {
  if (format) return format === "tar";
  return (
    /application\/(gzip|x-gzip|x-tar|x-gtar)/.test(accept ?? "") && !/application\/json/.test(accept ?? "")
  );
}

export const tenantsApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createTenant, async (c) => {
    const deps = c.var.deps;
    requireAdmin(c.var.principal, "create a class");
    const body = c.req.valid("json");
    const budget = body.budget ? budgetFrom(body.budget, "budget") : null;
    const ceiling = body.ceiling ? budgetFrom(body.ceiling, "ceiling") : null;
    if (budget) requireWithinCeiling(budget, ceilingOf(deps, { ceiling }), "budget");
    const settings: TenantSettings = {
      budget,
      ceiling,
      clusterLifetimeSeconds: seconds(body.clusterLifetime ?? null, "clusterLifetime"),
      idleBeforeSleepSeconds: seconds(body.idleBeforeSleep ?? null, "idleBeforeSleep"),
      charts: await tenantCharts(body.charts ?? []),
    };
    const token = teacherToken();
    const row = await deps.tenants.create({
      name: body.name,
      teacherTokenHash: hashToken(token),
      ...settings,
    });
    if (!row) throw new ApiError(409, "already_exists", `tenant ${body.name} already exists`);
    return c.json({ ...view(deps, { ...row, clusterCount: 0 }), teacherToken: token }, 201);
  })
  .openapi(listTenants, async (c) => {
    const deps = c.var.deps;
    const principal = c.var.principal;
    const rows = await deps.tenants.list(principal.kind === "teacher" ? { id: principal.tenantId } : {});
    return c.json({ items: rows.map((r) => view(deps, r)) }, 200);
  })
  .openapi(getTenant, async (c) => {
    const deps = c.var.deps;
    return c.json(view(deps, await scopedTenant(deps, c.var.principal, c.req.valid("param").name)), 200);
  })
  .openapi(updateTenant, async (c) => {
    const deps = c.var.deps;
    const principal = c.var.principal;
    const { name } = c.req.valid("param");
    const current = await scopedTenant(deps, principal, name);
    const body = c.req.valid("json");
    if (body.ceiling !== undefined) requireAdmin(principal, "change a class's ceiling");
    // everything that can be refused on its own is, before the row is locked
    const budgetChange = body.budget ? budgetFrom(body.budget, "budget") : body.budget;
    const ceilingChange = body.ceiling ? budgetFrom(body.ceiling, "ceiling") : body.ceiling;
    const change: TenantSettings = {};
    if (body.clusterLifetime !== undefined)
      change.clusterLifetimeSeconds = seconds(body.clusterLifetime, "clusterLifetime");
    if (body.idleBeforeSleep !== undefined)
      change.idleBeforeSleepSeconds = seconds(body.idleBeforeSleep, "idleBeforeSleep");
    if (body.charts !== undefined) change.charts = await tenantCharts(body.charts);
    const row = await deps.tenants.modify(name, (row: TenantRow) => {
      const ceiling =
        ceilingChange === undefined
          ? row.ceiling
          : ceilingChange && { ...(row.ceiling ?? {}), ...ceilingChange };
      if (ceilingChange !== undefined) change.ceiling = ceiling;
      if (budgetChange !== undefined) {
        // the class's budget stays within its ceiling (the admin raises the ceiling first, or in the same call)
        if (budgetChange) requireWithinCeiling(budgetChange, ceilingOf(deps, { ceiling }), "budget");
        change.budget = budgetChange && { ...(row.budget ?? {}), ...budgetChange };
      }
      return change;
    });
    if (!row) throw new ApiError(404, "not_found", `tenant ${name} not found`);
    return c.json(view(deps, { ...row, clusterCount: current.clusterCount }), 200);
  })
  .openapi(deleteTenant, async (c) => {
    const deps = c.var.deps;
    requireAdmin(c.var.principal, "delete a class");
    const { name } = c.req.valid("param");
    const current = await scopedTenant(deps, c.var.principal, name);
    const marked = await deps.tenants.markTerminating(name);
    if (!marked) throw new ApiError(404, "not_found", `tenant ${name} not found`);
    // each cluster's teardown removes its containers and network; the last one takes the tenant's row
    return c.json(view(deps, { ...current, ...marked.tenant }), 202);
  })
  .openapi(rotateTeacherToken, async (c) => {
    const deps = c.var.deps;
    const { name } = c.req.valid("param");
    await scopedTenant(deps, c.var.principal, name);
    const token = teacherToken();
    if (!(await deps.tenants.setTeacherTokenHash(name, hashToken(token))))
      throw new ApiError(404, "not_found", `tenant ${name} not found`);
    return c.json({ teacherToken: token }, 200);
  })
  .openapi(revokeTeacherToken, async (c) => {
    const deps = c.var.deps;
    const { name } = c.req.valid("param");
    await scopedTenant(deps, c.var.principal, name);
    if (!(await deps.tenants.setTeacherTokenHash(name, null)))
      throw new ApiError(404, "not_found", `tenant ${name} not found`);
    return c.body(null, 204);
  })
  .openapi(postRoster, async (c) => {
    const deps = c.var.deps;
    const tenant = await scopedTenant(deps, c.var.principal, c.req.valid("param").name);
    const names = [...new Set(c.req.valid("json").students)];
    const roster = await deps.clusters
      .createRoster({ tenantId: tenant.id, names, tokenHashFor: firstTokenHash(deps) })
      .catch((err) => {
        if (err instanceof StudentsTerminating) throw new ApiError(409, "conflict", err.message);
        return creationError(err);
      });
    const items = roster.map(({ row, created }) => ({
      ...clusterView(deps, { ...row, tenant: tenant.name }),
      student: row.name,
      created,
      kubeconfig: kubeconfigOf(deps, row),
    }));
    if (wantsArchive(c.req.valid("query").format, c.req.header("accept"))) {
      const archive = await gzippedTar(
        items.map((i) => ({ name: `${i.student}.yaml`, content: i.kubeconfig })),
      );
      return c.body(new Uint8Array(archive), 200, {
        "content-type": "application/gzip",
        "content-disposition": `attachment; filename="${tenant.name}-kubeconfigs.tar.gz"`,
      });
    }
    return c.json({ items }, 200);
  })
  .openapi(removeStudent, async (c) => {
    const deps = c.var.deps;
    const { name, student } = c.req.valid("param");
    const tenant = await scopedTenant(deps, c.var.principal, name);
    const row = await deps.clusters.byName(tenant.id, student);
    if (!row) throw new ApiError(404, "not_found", `student ${student} has no cluster in tenant ${name}`);
    await startTeardown(deps, row.id);
    return c.json(clusterView(deps, { ...row, tenant: tenant.name, phase: "Terminating" }), 202);
  })
  .openapi(classOverview, async (c) => {
    const deps = c.var.deps;
    const tenant = await scopedTenant(deps, c.var.principal, c.req.valid("param").name);
    return c.json(await classOverviewOf(deps, tenant), 200);
  })
  .openapi(setChecks, async (c) => {
    const deps = c.var.deps;
    const tenant = await scopedTenant(deps, c.var.principal, c.req.valid("param").name);
    const { checks } = c.req.valid("json");
    for (const [i, check] of checks.entries()) {
      const problem = checkProblem(check);
      if (problem) throw new ApiError(400, "invalid", `checks[${i}].${problem}`);
    }
    await deps.tenants.setChecks(tenant.id, checks);
    return c.json({ checks }, 200);
  })
  .openapi(checkResults, async (c) => {
    const deps = c.var.deps;
    const tenant = await scopedTenant(deps, c.var.principal, c.req.valid("param").name);
    return c.json(await classCheckResults(deps, tenant), 200);
  });
