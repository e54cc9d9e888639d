import { hooksOf, type ReleaseRecord } from "./release";
import { type RenderedChart, section } from "./template-command";

/** What deploys a revision: Helm's three operations that run the chart's objects and its hooks. */
export type Operation = "install" | "upgrade" | "rollback";

/** The release a revision belongs to, its number, when it was first deployed, and what it says it did. */
export interface RevisionBase {
  name: string;
  namespace: string;
  version: number;
  first: string;
  description: string;
}

/** A rendered chart as a release revision, deployed at `now` with the user-supplied `config`. Pure. */
export function revisionOf(
  rendered: RenderedChart,
  base: RevisionBase,
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

/** The record with another status and description, as Helm rewrites a revision's `info`. */
export function withStatus(
  r: ReleaseRecord,
  status: ReleaseRecord["info"]["status"],
  description: string,
): ReleaseRecord {
  return { ...r, info: { ...r.info, status, description } };
}

/** Helm's words for an operation under way. */
const PENDING = {
  install: { status: "pending-install", description: () => "Initial install underway" },
  upgrade: { status: "pending-upgrade", description: () => "Preparing upgrade" },
  rollback: { status: "pending-rollback", description: (r: ReleaseRecord) => r.info.description },
} as const;

/** The revision while its operation runs its hooks (pending-install, -upgrade, -rollback). */
export function pendingOf(r: ReleaseRecord, operation: Operation): ReleaseRecord {
  return withStatus(r, PENDING[operation].status, PENDING[operation].description(r));
}

/** Helm's words for a failed operation: `Release "db" failed: …`, `Upgrade "db" failed: …`. */
const FAILED = { install: "Release", upgrade: "Upgrade", rollback: "Rollback" } as const;

/** The revision once its operation failed, with Helm's description naming why. */
export function failedOf(r: ReleaseRecord, operation: Operation, why: string): ReleaseRecord {
  return withStatus(r, "failed", `${FAILED[operation]} "${r.name}" failed: ${why}`);
}

/** Helm refuses an operation on a release that another one is still working on. */
export function isBusy(last: ReleaseRecord): boolean {
  return last.info.status.startsWith("pending-") || last.info.status === "uninstalling";
}

/**
 * Revision 1 of a release whose install failed before anything of it went out (its chart did not render, or
 * is gone): Helm's `failed` record with Helm's description, and no manifest. Pure.
 */
export function failedInstallOf(
  release: { name: string; namespace: string },
  chart: { name: string; version?: string | undefined; appVersion?: string | undefined },
  config: Record<string, unknown>,
  now: string,
  why: string,
): ReleaseRecord {
  const record: ReleaseRecord = {
    name: release.name,
    namespace: release.namespace,
    version: 1,
    info: { first_deployed: now, last_deployed: now, deleted: "", description: "", status: "failed" },
    chart: {
      metadata: {
        name: chart.name,
        version: chart.version ?? "",
        ...(chart.appVersion ? { appVersion: chart.appVersion } : {}),
        apiVersion: "v2",
      },
      values: {},
    },
    config,
    manifest: "",
  };
  return failedOf(record, "install", why);
}
