import { OpenAPIHono } from "@hono/zod-openapi";
import { catalogChart, catalogNames } from "../../../core/charts/catalog";
import type { ClusterWithTenant } from "../../../db/clusters";
import {
  type Detach,
  installRelease as install,
  type ReleaseDeps,
  rollbackRelease as rollback,
  uninstallRelease as uninstall,
  upgradeRelease as upgrade,
} from "../../../db/releases/operations";
import { latest, revisions } from "../../../db/releases/records";
import { expandSubchartArchives, filesOfArchive } from "../../../helm/archive";
import type { ReleaseRecord } from "../../../helm/release";
import { isBusy } from "../../../helm/revision";
import type { AppEnv, Principal } from "../../env";
import { ApiError } from "../errors";
import { scopedCluster } from "../scope";
import { validationHook } from "../validation";
import { watchHubHookWaiter } from "./hook-watch";
import {
  getRelease,
  installRelease,
  listReleases,
  releaseHistory,
  rollbackRelease,
  uninstallRelease,
  upgradeRelease,
} from "./routes";

type Deps = AppEnv["Variables"]["deps"];

/** The cluster, if the caller may reach it (404 unknown, 403 outside a teacher's class). */
function clusterOf(deps: Deps, principal: Principal, id: string): Promise<ClusterWithTenant> {
  return scopedCluster(deps, principal, id);
}

/** The cluster's id, if the caller may change its releases now: not while it is being reset (409). */
async function writableClusterOf(deps: Deps, principal: Principal, id: string): Promise<string> {
  const row = await clusterOf(deps, principal, id);
  if (row.phase === "Resetting")
    throw new ApiError(409, "conflict", `cluster ${row.id} is being reset: try again once it is Active`);
  return row.id;
}

/** What the shared release operations (db/releases) get from a request's dependencies. */
function releaseDeps(deps: Deps): ReleaseDeps {
  return {
    store: deps.store,
    writer: deps.writer,
    chartRender: deps.config.chartRender,
    awaitHook: watchHubHookWaiter(deps.watchHub),
    now: deps.now,
  };
}

/**
 * Work that outlives its request. Its outcome is written to the release record, never to the caller; if
 * this process stops first, the release stays pending, as Helm leaves one whose client was killed.
 */
const offRequest: Detach = (work) => {
  void work().catch(() => undefined);
};

function view(r: ReleaseRecord) {
  const meta = r.chart.metadata;
  return {
    name: r.name,
    namespace: r.namespace,
    revision: r.version,
    status: r.info.status,
    chart: `${meta.name}-${meta.version}`,
    appVersion: meta.appVersion ?? "",
    updated: r.info.last_deployed,
    description: r.info.description,
    notes: r.info.notes ?? "",
    values: r.config,
    manifest: r.manifest,
  };
}

/** The files of the chart a request names: sent as files, as a .tgz, or from the catalog. */
export async function chartFiles(chart: {
  files?: Record<string, string> | undefined;
  archive?: string | undefined;
  catalog?: string | undefined;
}) {
  try {
    // packaged subcharts (charts/*.tgz) among sent files come base64-encoded
    if (chart.files) return await expandSubchartArchives(chart.files);
    if (chart.archive) return await filesOfArchive(Buffer.from(chart.archive, "base64"));
  } catch (err) {
    throw new ApiError(
      400,
      "invalid_chart",
      `the chart archive could not be read: ${(err as Error).message}`,
    );
  }
  const files = catalogChart(chart.catalog ?? "");
  if (!files)
    throw new ApiError(
      404,
      "not_found",
      `no chart ${chart.catalog} in the catalog (${catalogNames().join(", ")})`,
    );
  return files;
}

/**
 * Helm releases in a cluster, stored as Helm 3 stores them so that the Helm CLI would list them. The
 * operations are db/releases' (shared with the class-charts controller); failures are ReleaseErrors, which
 * the app renders as the management API's errors.
 */
export const releasesApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(installRelease, async (c) => {
    const deps = c.var.deps;
    const clusterId = await writableClusterOf(deps, c.var.principal, c.req.valid("param").id);
    const body = c.req.valid("json");
    // refusals in the order they always came: a name in use before an unreadable chart
    if ((await revisions(deps.store, clusterId, body.name, body.namespace)).length)
      throw new ApiError(409, "already_exists", `cannot re-use a name that is still in use: ${body.name}`);
    const files = await chartFiles(body.chart);
    const installed = await install(releaseDeps(deps), clusterId, { ...body, files }, offRequest);
    return c.json(view(installed), 201);
  })
  .openapi(listReleases, async (c) => {
    const deps = c.var.deps;
    const { id: clusterId } = await clusterOf(deps, c.var.principal, c.req.valid("param").id);
    const newest = new Map<string, ReleaseRecord>();
    for (const r of await revisions(deps.store, clusterId)) newest.set(`${r.namespace}/${r.name}`, r);
    return c.json({ items: [...newest.values()].map(view) }, 200);
  })
  .openapi(getRelease, async (c) => {
    const deps = c.var.deps;
    const { id, name } = c.req.valid("param");
    const { id: clusterId } = await clusterOf(deps, c.var.principal, id);
    return c.json(view(await latest(deps.store, clusterId, name, c.req.valid("query").namespace)), 200);
  })
  .openapi(releaseHistory, async (c) => {
    const deps = c.var.deps;
    const { id, name } = c.req.valid("param");
    const { id: clusterId } = await clusterOf(deps, c.var.principal, id);
    const all = await revisions(deps.store, clusterId, name, c.req.valid("query").namespace);
    if (!all.length) throw new ApiError(404, "not_found", `release: not found: ${name}`);
    return c.json({ items: all.map(view) }, 200);
  })
  .openapi(upgradeRelease, async (c) => {
    const deps = c.var.deps;
    const { id, name } = c.req.valid("param");
    const clusterId = await writableClusterOf(deps, c.var.principal, id);
    const namespace = c.req.valid("query").namespace;
    const body = c.req.valid("json");
    // refusals in the order they always came: no release, a busy one, then an unreadable chart
    if (isBusy(await latest(deps.store, clusterId, name, namespace)))
      throw new ApiError(409, "conflict", "another operation (install/upgrade/rollback) is in progress");
    const files = await chartFiles(body.chart);
    const upgraded = await upgrade(
      releaseDeps(deps),
      clusterId,
      { name, namespace },
      { ...body, files },
      offRequest,
    );
    return c.json(view(upgraded), 200);
  })
  .openapi(rollbackRelease, async (c) => {
    const deps = c.var.deps;
    const { id, name } = c.req.valid("param");
    const clusterId = await writableClusterOf(deps, c.var.principal, id);
    const namespace = c.req.valid("query").namespace;
    const { revision } = c.req.valid("json");
    const next = await rollback(releaseDeps(deps), clusterId, { name, namespace }, revision, offRequest);
    return c.json(view(next), 200);
  })
  .openapi(uninstallRelease, async (c) => {
    const deps = c.var.deps;
    const { id, name } = c.req.valid("param");
    const clusterId = await writableClusterOf(deps, c.var.principal, id);
    const namespace = c.req.valid("query").namespace;
    return c.json(view(await uninstall(releaseDeps(deps), clusterId, { name, namespace }, offRequest)), 200);
  });
