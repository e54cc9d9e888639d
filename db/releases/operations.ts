import type { RenderLimits } from "../../core/charts/bounded-render";
import { KubeError } from "../../core/k8s/errors";
import { findResourceType, type ResourceType } from "../../core/k8s/resources";
import { rfc3339 } from "../../core/k8s/time";
import type { KubeObject } from "../../core/k8s/types";
import { hasHooksAround } from "../../helm/hooks";
import { manifestObjects, type ReleaseRecord } from "../../helm/release";
import { failedOf, isBusy, type Operation, pendingOf, revisionOf, withStatus } from "../../helm/revision";
import { jsonValues } from "../../helm/values";
import { applyObjects, deleteObject, HELM, type ReleaseWriter } from "./apply";
import { installChartCrds } from "./crds";
import { ReleaseError } from "./errors";
import { type HookWaiter, runHooks } from "./hooks";
import { forgetRevisions, latest, revisions, saveRevision } from "./records";
import { type ReleaseValues, renderForRelease } from "./render";

/** What operating on releases needs; the API and the workers each wire their own. */
export interface ReleaseDeps extends ReleaseWriter {
  chartRender: RenderLimits;
  /** How hooks' Jobs and Pods are waited for: the API's change feed, or reading the store now and then. */
  awaitHook: HookWaiter;
  now: () => Date;
}

/**
 * Where work that outlives its caller goes (the API's requests: off the request). Without one, an operation
 * with hooks is awaited to its end.
 */
export type Detach = (work: () => Promise<void>) => void;

/** A chart to install as a release. */
export interface InstallSpec extends ReleaseValues {
  name: string;
  namespace: string;
  /** The chart's files by chart-relative path, packaged subcharts already expanded. */
  files: Record<string, string>;
  /** Makes the namespace when it is missing, as `helm install --create-namespace`. */
  createNamespace?: boolean;
}

/** Failures as the management API words them; a cluster that cannot take writes now stays a 503. */
function asReleaseError(err: unknown): unknown {
  if (err instanceof ReleaseError || !(err instanceof KubeError)) return err;
  if (err.code === 503) return new ReleaseError(503, "unavailable", err.message);
  return new ReleaseError(422, "apply_failed", err.message);
}

/**
 * Applies a revision's objects between its hooks; on failure, puts back what the previous revision had (or
 * nothing) and throws the failure as a ReleaseError.
 */
async function rollout(
  d: ReleaseDeps,
  clusterId: string,
  next: ReleaseRecord,
  previous: ReleaseRecord | undefined,
  operation: Operation,
): Promise<void> {
  const before = previous ? (manifestObjects(previous.manifest) as KubeObject[]) : [];
  const objects = manifestObjects(next.manifest) as KubeObject[];
  const created: KubeObject[] = [];
  const action = operation === "install" ? "install" : "update";
  try {
    await runHooks(d, clusterId, next, next.hooks ?? [], `pre-${operation}`);
    await applyObjects(d, clusterId, next, objects, before, { action, created });
    await runHooks(d, clusterId, next, next.hooks ?? [], `post-${operation}`);
  } catch (err) {
    for (const obj of created) await deleteObject(d, clusterId, next.namespace, obj).catch(() => undefined);
    if (previous)
      await applyObjects(d, clusterId, previous, before, objects, { action }).catch(() => undefined);
    throw asReleaseError(err);
  }
}

/** Records a revision that went out: the previous one superseded, this one deployed. */
async function recordDeployed(
  d: ReleaseDeps,
  clusterId: string,
  next: ReleaseRecord,
  previous?: ReleaseRecord,
): Promise<void> {
  if (previous)
    await saveRevision(d, clusterId, withStatus(previous, "superseded", previous.info.description));
  await saveRevision(d, clusterId, next);
}

/**
 * Deploys a revision. Without hooks for this operation it is done within the call, and a failure is the
 * call's (nothing of the revision is kept). With hooks, which wait for Jobs and Pods for up to 5 minutes, the
 * revision is recorded as pending (pending-install, -upgrade, -rollback) and the rest runs in `detach` when
 * given (the pending revision is returned at once), else within the call; the record becomes deployed, or
 * failed with Helm's description, when it ends.
 */
async function deploy(
  d: ReleaseDeps,
  clusterId: string,
  next: ReleaseRecord,
  previous: ReleaseRecord | undefined,
  operation: Operation,
  detach?: Detach,
): Promise<ReleaseRecord> {
  if (!hasHooksAround(next.hooks ?? [], operation)) {
    await rollout(d, clusterId, next, previous, operation);
    await recordDeployed(d, clusterId, next, previous);
    return next;
  }
  const pending = pendingOf(next, operation);
  await saveRevision(d, clusterId, pending);
  const work = async (): Promise<ReleaseRecord> => {
    try {
      await rollout(d, clusterId, next, previous, operation);
    } catch (err) {
      const why = err instanceof ReleaseError ? err.message : "the server could not complete it";
      const failed = failedOf(next, operation, why);
      await saveRevision(d, clusterId, failed);
      return failed;
    }
    await recordDeployed(d, clusterId, next, previous);
    return next;
  };
  if (!detach) return work();
  detach(async () => {
    await work();
  });
  return pending;
}

const NAMESPACES = findResourceType("", "v1", "namespaces") as ResourceType;

/** The namespace, made if missing as Helm's `--create-namespace` makes it (labelled with its name). */
async function ensureNamespace(d: ReleaseWriter, clusterId: string, name: string): Promise<void> {
  const key = { clusterId, group: "", resource: "namespaces", namespace: "", name };
  if (await d.store.get(key)) return;
  const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { name } } };
  await d.writer.create(NAMESPACES, key, ns, HELM).catch((err: unknown) => {
    // made meanwhile by someone else: as good
    if (!(err instanceof KubeError && err.code === 409)) throw asReleaseError(err);
  });
}

/**
 * Installs a chart as revision 1 of a new release: 409 when a release of that name has any revision in the
 * namespace. Rendered before anything is written.
 */
export async function installRelease(
  d: ReleaseDeps,
  clusterId: string,
  spec: InstallSpec,
  detach?: Detach,
): Promise<ReleaseRecord> {
  if ((await revisions(d.store, clusterId, spec.name, spec.namespace)).length)
    throw new ReleaseError(409, "already_exists", `cannot re-use a name that is still in use: ${spec.name}`);
  const now = rfc3339(d.now());
  await installChartCrds(d, clusterId, spec.files);
  const rendered = await renderForRelease(
    d,
    clusterId,
    spec.files,
    { name: spec.name, namespace: spec.namespace, revision: 1, isUpgrade: false },
    spec,
  );
  const next = revisionOf(
    rendered,
    { name: spec.name, namespace: spec.namespace, version: 1, first: now, description: "Install complete" },
    now,
    jsonValues(rendered.values),
  );
  if (spec.createNamespace) await ensureNamespace(d, clusterId, spec.namespace);
  return deploy(d, clusterId, next, undefined, "install", detach);
}

/**
 * Records an install that failed before anything of it went out (revision 1, `failed`), in a namespace made
 * for it when `createNamespace`, unless the release has a revision already. For callers with no one to
 * answer (the class-charts controller): the record is what says why.
 */
export async function recordFailedInstall(
  d: ReleaseWriter,
  clusterId: string,
  record: ReleaseRecord,
  createNamespace: boolean,
): Promise<void> {
  if ((await revisions(d.store, clusterId, record.name, record.namespace)).length) return;
  if (createNamespace) await ensureNamespace(d, clusterId, record.namespace);
  await saveRevision(d, clusterId, record);
}

/** Helm refuses an operation on a release that another one is still working on. */
function refuseIfBusy(last: ReleaseRecord): void {
  if (isBusy(last))
    throw new ReleaseError(409, "conflict", "another operation (install/upgrade/rollback) is in progress");
}

/** Upgrades a release to a new revision of the chart: 404 without one, 409 while it is busy. */
export async function upgradeRelease(
  d: ReleaseDeps,
  clusterId: string,
  release: { name: string; namespace: string },
  chart: { files: Record<string, string> } & ReleaseValues,
  detach?: Detach,
): Promise<ReleaseRecord> {
  const previous = await latest(d.store, clusterId, release.name, release.namespace);
  refuseIfBusy(previous);
  const now = rfc3339(d.now());
  const version = previous.version + 1;
  const rendered = await renderForRelease(
    d,
    clusterId,
    chart.files,
    { name: release.name, namespace: previous.namespace, revision: version, isUpgrade: true },
    chart,
  );
  const next = revisionOf(
    rendered,
    {
      name: release.name,
      namespace: previous.namespace,
      version,
      first: previous.info.first_deployed,
      description: "Upgrade complete",
    },
    now,
    jsonValues(rendered.values),
  );
  return deploy(d, clusterId, next, previous, "upgrade", detach);
}

/** Rolls a release back to an earlier revision's manifest, as a new revision: 404 without that revision. */
export async function rollbackRelease(
  d: ReleaseDeps,
  clusterId: string,
  release: { name: string; namespace: string },
  revision: number,
  detach?: Detach,
): Promise<ReleaseRecord> {
  const all = await revisions(d.store, clusterId, release.name, release.namespace);
  const previous = all.at(-1);
  const target = all.find((r) => r.version === revision);
  if (!previous || !target)
    throw new ReleaseError(404, "not_found", `release: not found: ${release.name} revision ${revision}`);
  refuseIfBusy(previous);
  const now = rfc3339(d.now());
  const next: ReleaseRecord = {
    ...target,
    version: previous.version + 1,
    info: { ...target.info, status: "deployed", last_deployed: now, description: `Rollback to ${revision}` },
  };
  return deploy(d, clusterId, next, previous, "rollback", detach);
}

/**
 * Uninstalls a release: its delete hooks, its objects, every revision's record. Returns the last revision as
 * `uninstalled`, or as `uninstalling` when delete hooks run in `detach` (a failure then leaves it `failed`).
 * As Helm, a release left pending (its process stopped mid-way) can still be uninstalled.
 */
export async function uninstallRelease(
  d: ReleaseDeps,
  clusterId: string,
  release: { name: string; namespace: string },
  detach?: Detach,
): Promise<ReleaseRecord> {
  const { name, namespace } = release;
  const all = await revisions(d.store, clusterId, name, namespace);
  const last = all.at(-1);
  if (!last) throw new ReleaseError(404, "not_found", `release: not found: ${name}`);
  const uninstall = async () => {
    await runHooks(d, clusterId, last, last.hooks ?? [], "pre-delete");
    for (const obj of manifestObjects(last.manifest) as KubeObject[])
      await deleteObject(d, clusterId, namespace, obj);
    await runHooks(d, clusterId, last, last.hooks ?? [], "post-delete");
    await forgetRevisions(d, clusterId, name, namespace, all);
  };
  if (!hasHooksAround(last.hooks ?? [], "delete") || !detach) {
    await uninstall();
    return withStatus(last, "uninstalled", "Uninstallation complete");
  }
  // as Helm: the release says `uninstalling` until its hooks have run and it is gone
  const uninstalling = withStatus(last, "uninstalling", "Deletion in progress (or silently failed)");
  await saveRevision(d, clusterId, uninstalling);
  detach(async () => {
    try {
      await uninstall();
    } catch (err) {
      const why = err instanceof ReleaseError ? err.message : "the server could not complete it";
      await saveRevision(d, clusterId, withStatus(last, "failed", `uninstallation failed: ${why}`));
    }
  });
  return uninstalling;
}
