import { OpenAPIHono } from "@hono/zod-openapi";
import { KubeError } from "../../../core/k8s/errors";
import {
  findResourceType,
  groupVersion,
  RESOURCE_TYPES,
  type ResourceType,
} from "../../../core/k8s/resources";
import { rfc3339 } from "../../../core/k8s/time";
import type { KubeObject } from "../../../core/k8s/types";
import { expandSubchartArchives, filesOfArchive } from "../../../helm/archive";
import {
  decodeRelease,
  hooksOf,
  manifestObjects,
  type ReleaseRecord,
  releaseSecret,
  secretName,
} from "../../../helm/release";
import { type RenderedChart, section } from "../../../helm/template-command";
import { jsonValues } from "../../../helm/values";
import type { AppEnv, Principal } from "../../env";
import { KUBE_VERSION } from "../../kube/discovery";
import { ApiError } from "../errors";
import { scopedCluster } from "../scope";
import { validationHook } from "../validation";
import { applyObjects, deleteObject, HELM } from "./apply";
import { type RenderJob, RenderLimitExceeded, renderBounded } from "./bounded-render";
import { catalogChart, catalogNames } from "./catalog";
import { hooksFor, runHooks } from "./hooks";
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
/** The cluster's id, if the caller may reach it (404 unknown, 403 outside a teacher's class). */
async function clusterOf(deps: Deps, principal: Principal, id: string): Promise<string> {
  return (await scopedCluster(deps, principal, id)).id;
}

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

/** Every stored revision of the cluster's releases (optionally one release), oldest first. */
async function revisions(
  deps: Deps,
  clusterId: string,
  name?: string,
  namespace?: string,
): Promise<ReleaseRecord[]> {
  const { items } = await deps.store.list({
    clusterId,
    group: "",
    resource: "secrets",
    ...(namespace ? { namespace } : {}),
  });
  return items
    .filter((s) => s.type === "helm.sh/release.v1" && (!name || s.metadata.labels?.name === name))
    .map((s) =>
      decodeRelease(Buffer.from(String((s.data as { release?: string }).release ?? ""), "base64").toString()),
    )
    .sort((a, b) => a.version - b.version);
}

async function latest(
  deps: Deps,
  clusterId: string,
  name: string,
  namespace: string,
): Promise<ReleaseRecord> {
  const all = await revisions(deps, clusterId, name, namespace);
  const last = all.at(-1);
  if (!last) throw new ApiError(404, "not_found", `release: not found: ${name}`);
  return last;
}

const SECRETS = findResourceType("", "v1", "secrets") as ResourceType;

async function save(deps: Deps, clusterId: string, record: ReleaseRecord): Promise<void> {
  const secret = releaseSecret(record) as unknown as KubeObject;
  const key = {
    clusterId,
    group: "",
    resource: "secrets",
    namespace: record.namespace,
    name: secretName(record.name, record.version),
  };
  const saved = await deps.writer.mutate(SECRETS, key, () => secret, HELM);
  if (!saved) await deps.writer.create(SECRETS, key, secret, HELM);
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
 * `.Capabilities` of the cluster, and the objects `lookup` reads: read only when a template looks up,
 * since Helm charts rarely do.
 */
async function clusterView(deps: Deps, clusterId: string, files: Record<string, string>) {
  const apiVersions = RESOURCE_TYPES.flatMap((t) => [groupVersion(t), `${groupVersion(t)}/${t.kind}`]);
  const base = { kubeVersion: `${KUBE_VERSION.major}.${KUBE_VERSION.minor}`, apiVersions };
  if (!Object.values(files).some((text) => text.includes("lookup"))) return base;
  const objects: KubeObject[] = [];
  for (const t of RESOURCE_TYPES.filter((r) => !r.virtual))
    objects.push(...(await deps.store.list({ clusterId, group: t.group, resource: t.resource })).items);
  return { ...base, objects };
}

/** Renders a chart for a release, failing with the template's name and line as Helm reports them. */
async function render(
  deps: Deps,
  clusterId: string,
  files: Record<string, string>,
  release: { name: string; namespace: string; revision: number; isUpgrade: boolean },
  values: {
    values?: Record<string, unknown> | undefined;
    set?: string[] | undefined;
    setString?: string[] | undefined;
  },
) {
  const cluster = await clusterView(deps, clusterId, files);
  const job: RenderJob = {
    files,
    options: {
      releaseName: release.name,
      namespace: release.namespace,
      revision: release.revision,
      isUpgrade: release.isUpgrade,
      ...cluster,
      ...(values.values ? { values: values.values } : {}),
      ...(values.set ? { set: values.set } : {}),
      ...(values.setString ? { setString: values.setString } : {}),
    },
  };
  const outcome = await renderBounded(job, deps.config.chartRender).catch((err: Error) => {
    if (err instanceof RenderLimitExceeded) throw new ApiError(422, "render_limit", err.message);
    throw err;
  });
  if ("rendered" in outcome) return outcome.rendered;
  if (outcome.setSyntax) throw new ApiError(400, "invalid_set", outcome.error);
  throw new ApiError(422, "render_failed", outcome.error);
}

function record(
  rendered: RenderedChart,
  base: { name: string; namespace: string; version: number; first: string; description: string },
  now: string,
  config: Record<string, unknown>,
): ReleaseRecord {
  const meta = rendered.chart;
  return {
    name: base.name,
    namespace: base.namespace,
    version: base.version,
    info: {
      first_deployed: base.first,
      last_deployed: now,
      deleted: "",
      description: base.description,
      status: "deployed",
      notes: rendered.notes,
    },
    chart: {
      metadata: {
        name: meta.name,
        version: meta.version ?? "",
        ...(meta.appVersion ? { appVersion: meta.appVersion } : {}),
        apiVersion: meta.apiVersion ?? "v2",
      },
      values: meta.values ?? {},
    },
    config,
    manifest: rendered.manifests.map(section).join(""),
    hooks: hooksOf(rendered.hooks),
  };
}

type Event = "install" | "upgrade" | "rollback";

/** Helm's words for an operation under way and for its failure. */
const PENDING = {
  install: { status: "pending-install", description: () => "Initial install underway" },
  upgrade: { status: "pending-upgrade", description: () => "Preparing upgrade" },
  rollback: { status: "pending-rollback", description: (r: ReleaseRecord) => r.info.description },
} as const;
const FAILED = { install: "Release", upgrade: "Upgrade", rollback: "Rollback" } as const;

const withStatus = (r: ReleaseRecord, status: ReleaseRecord["info"]["status"], description: string) => ({
  ...r,
  info: { ...r.info, status, description },
});

/**
 * Applies a revision's objects between its hooks; on failure, puts back what the previous revision had (or
 * nothing) and throws the failure as the management API words it.
 */
async function rollout(
  deps: Deps,
  clusterId: string,
  next: ReleaseRecord,
  previous: ReleaseRecord | undefined,
  event: Event,
): Promise<void> {
  const before = previous ? (manifestObjects(previous.manifest) as KubeObject[]) : [];
  const objects = manifestObjects(next.manifest) as KubeObject[];
  const created: KubeObject[] = [];
  const action = event === "install" ? "install" : "update";
  try {
    await runHooks(deps, clusterId, next, next.hooks ?? [], `pre-${event}`);
    await applyObjects(deps, clusterId, next, objects, before, { action, created });
    await runHooks(deps, clusterId, next, next.hooks ?? [], `post-${event}`);
  } catch (err) {
    for (const obj of created)
      await deleteObject(deps, clusterId, next.namespace, obj).catch(() => undefined);
    if (previous)
      await applyObjects(deps, clusterId, previous, before, objects, { action }).catch(() => undefined);
    if (err instanceof ApiError) throw err;
    if (err instanceof KubeError) throw new ApiError(422, "apply_failed", err.message);
    throw err;
  }
}

/** Records a revision that went out: the previous one superseded, this one deployed. */
async function recordDeployed(deps: Deps, clusterId: string, next: ReleaseRecord, previous?: ReleaseRecord) {
  if (previous) await save(deps, clusterId, withStatus(previous, "superseded", previous.info.description));
  await save(deps, clusterId, next);
}

/**
 * Deploys a revision. Without hooks for this event it is done within the call, and a failure is the call's
 * (nothing of the revision is kept). With hooks, which wait for Jobs and Pods for up to 5 minutes, the
 * revision is recorded as pending (pending-install, -upgrade, -rollback) and returned at once; the rest runs
 * off the request, and the record becomes deployed, or failed with Helm's description, when it ends. A
 * client polls `GET …/releases/{name}` for the outcome.
 */
async function deploy(
  deps: Deps,
  clusterId: string,
  next: ReleaseRecord,
  previous: ReleaseRecord | undefined,
  event: Event,
): Promise<ReleaseRecord> {
  const hooked = [`pre-${event}`, `post-${event}`].some((e) => hooksFor(next.hooks ?? [], e).length > 0);
  if (!hooked) {
    await rollout(deps, clusterId, next, previous, event);
    await recordDeployed(deps, clusterId, next, previous);
    return next;
  }
  const pending = withStatus(next, PENDING[event].status, PENDING[event].description(next));
  await save(deps, clusterId, pending);
  offRequest(async () => {
    try {
      await rollout(deps, clusterId, next, previous, event);
    } catch (err) {
      const why = err instanceof ApiError ? err.message : "the server could not complete it";
      await save(
        deps,
        clusterId,
        withStatus(next, "failed", `${FAILED[event]} "${next.name}" failed: ${why}`),
      );
      return;
    }
    await recordDeployed(deps, clusterId, next, previous);
  });
  return pending;
}

/**
 * Work that outlives its request. Its outcome is written to the release record, never to the caller; if
 * this process stops first, the release stays pending, as Helm leaves one whose client was killed.
 */
function offRequest(work: () => Promise<void>): void {
  void work().catch(() => undefined);
}

/** Helm refuses an operation on a release that another one is still working on. */
function refuseIfBusy(last: ReleaseRecord): void {
  if (last.info.status.startsWith("pending-") || last.info.status === "uninstalling")
    throw new ApiError(409, "conflict", "another operation (install/upgrade/rollback) is in progress");
}

/** Helm releases in a cluster, stored as Helm 3 stores them so that the Helm CLI would list them. */
export const releasesApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(installRelease, async (c) => {
    const deps = c.var.deps;
    const clusterId = await clusterOf(deps, c.var.principal, c.req.valid("param").id);
    const body = c.req.valid("json");
    if ((await revisions(deps, clusterId, body.name, body.namespace)).length)
      throw new ApiError(409, "already_exists", `cannot re-use a name that is still in use: ${body.name}`);
    const now = rfc3339(deps.now());
    const rendered = await render(
      deps,
      clusterId,
      await chartFiles(body.chart),
      { name: body.name, namespace: body.namespace, revision: 1, isUpgrade: false },
      body,
    );
    const next = record(
      rendered,
      { name: body.name, namespace: body.namespace, version: 1, first: now, description: "Install complete" },
      now,
      jsonValues(rendered.values),
    );
    return c.json(view(await deploy(deps, clusterId, next, undefined, "install")), 201);
  })
  .openapi(listReleases, async (c) => {
    const deps = c.var.deps;
    const clusterId = await clusterOf(deps, c.var.principal, c.req.valid("param").id);
    const newest = new Map<string, ReleaseRecord>();
    for (const r of await revisions(deps, clusterId)) newest.set(`${r.namespace}/${r.name}`, r);
    return c.json({ items: [...newest.values()].map(view) }, 200);
  })
  .openapi(getRelease, async (c) => {
    const deps = c.var.deps;
    const { id, name } = c.req.valid("param");
    return c.json(
      view(
        await latest(deps, await clusterOf(deps, c.var.principal, id), name, c.req.valid("query").namespace),
      ),
      200,
    );
  })
  .openapi(releaseHistory, async (c) => {
    const deps = c.var.deps;
    const { id, name } = c.req.valid("param");
    const all = await revisions(
      deps,
      await clusterOf(deps, c.var.principal, id),
      name,
      c.req.valid("query").namespace,
    );
    if (!all.length) throw new ApiError(404, "not_found", `release: not found: ${name}`);
    return c.json({ items: all.map(view) }, 200);
  })
  .openapi(upgradeRelease, async (c) => {
    const deps = c.var.deps;
    const { id, name } = c.req.valid("param");
    const clusterId = await clusterOf(deps, c.var.principal, id);
    const previous = await latest(deps, clusterId, name, c.req.valid("query").namespace);
    refuseIfBusy(previous);
    const body = c.req.valid("json");
    const now = rfc3339(deps.now());
    const version = previous.version + 1;
    const rendered = await render(
      deps,
      clusterId,
      await chartFiles(body.chart),
      { name, namespace: previous.namespace, revision: version, isUpgrade: true },
      body,
    );
    const next = record(
      rendered,
      {
        name,
        namespace: previous.namespace,
        version,
        first: previous.info.first_deployed,
        description: "Upgrade complete",
      },
      now,
      jsonValues(rendered.values),
    );
    return c.json(view(await deploy(deps, clusterId, next, previous, "upgrade")), 200);
  })
  .openapi(rollbackRelease, async (c) => {
    const deps = c.var.deps;
    const { id, name } = c.req.valid("param");
    const clusterId = await clusterOf(deps, c.var.principal, id);
    const namespace = c.req.valid("query").namespace;
    const all = await revisions(deps, clusterId, name, namespace);
    const previous = all.at(-1);
    const { revision } = c.req.valid("json");
    const target = all.find((r) => r.version === revision);
    if (!previous || !target)
      throw new ApiError(404, "not_found", `release: not found: ${name} revision ${revision}`);
    refuseIfBusy(previous);
    const now = rfc3339(deps.now());
    const next: ReleaseRecord = {
      ...target,
      version: previous.version + 1,
      info: {
        ...target.info,
        status: "deployed",
        last_deployed: now,
        description: `Rollback to ${revision}`,
      },
    };
    return c.json(view(await deploy(deps, clusterId, next, previous, "rollback")), 200);
  })
  .openapi(uninstallRelease, async (c) => {
    const deps = c.var.deps;
    const { id, name } = c.req.valid("param");
    const clusterId = await clusterOf(deps, c.var.principal, id);
    const namespace = c.req.valid("query").namespace;
    const all = await revisions(deps, clusterId, name, namespace);
    const last = all.at(-1);
    if (!last) throw new ApiError(404, "not_found", `release: not found: ${name}`);
    // as Helm: a release left pending (its process stopped mid-way) can still be uninstalled
    const uninstall = async () => {
      await runHooks(deps, clusterId, last, last.hooks ?? [], "pre-delete");
      for (const obj of manifestObjects(last.manifest) as KubeObject[])
        await deleteObject(deps, clusterId, namespace, obj);
      await runHooks(deps, clusterId, last, last.hooks ?? [], "post-delete");
      for (const r of all)
        await deps.store
          .delete({ clusterId, group: "", resource: "secrets", namespace, name: secretName(name, r.version) })
          .catch(() => undefined);
    };
    const hooked = ["pre-delete", "post-delete"].some((e) => hooksFor(last.hooks ?? [], e).length > 0);
    if (!hooked) {
      await uninstall();
      return c.json(view(withStatus(last, "uninstalled", "Uninstallation complete")), 200);
    }
    // as Helm: the release says `uninstalling` until its hooks have run and it is gone
    const uninstalling = withStatus(last, "uninstalling", "Deletion in progress (or silently failed)");
    await save(deps, clusterId, uninstalling);
    offRequest(async () => {
      try {
        await uninstall();
      } catch (err) {
        const why = err instanceof ApiError ? err.message : "the server could not complete it";
        await save(deps, clusterId, withStatus(last, "failed", `uninstallation failed: ${why}`));
      }
    });
    return c.json(view(uninstalling), 200);
  });
