import { findResourceType, type ResourceType } from "../../core/k8s/resources";
import type { KubeObject } from "../../core/k8s/types";
import { decodeRelease, type ReleaseRecord, releaseSecret, secretName } from "../../helm/release";
import type { ObjectStore } from "../store";
import { HELM, type ReleaseWriter } from "./apply";
import { ReleaseError } from "./errors";

const SECRETS = findResourceType("", "v1", "secrets") as ResourceType;

/**
 * Every stored revision of the cluster's releases (optionally one release, one namespace), oldest first:
 * the `helm.sh/release.v1` Secrets, as the Helm CLI reads them.
 */
export async function revisions(
  store: Pick<ObjectStore, "list">,
  clusterId: string,
  name?: string,
  namespace?: string,
): Promise<ReleaseRecord[]> {
  const { items } = await store.list({
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

/** The release's newest revision; a 404 ReleaseError when it has none. */
export async function latest(
  store: Pick<ObjectStore, "list">,
  clusterId: string,
  name: string,
  namespace: string,
): Promise<ReleaseRecord> {
  const last = (await revisions(store, clusterId, name, namespace)).at(-1);
  if (!last) throw new ReleaseError(404, "not_found", `release: not found: ${name}`);
  return last;
}

/** Writes a revision's record (its Secret), as new or over the one of the same revision. */
export async function saveRevision(
  d: ReleaseWriter,
  clusterId: string,
  record: ReleaseRecord,
): Promise<void> {
  const secret = releaseSecret(record) as unknown as KubeObject;
  const key = {
    clusterId,
    group: "",
    resource: "secrets",
    namespace: record.namespace,
    name: secretName(record.name, record.version),
  };
  const saved = await d.writer.mutate(SECRETS, key, () => secret, HELM);
  if (!saved) await d.writer.create(SECRETS, key, secret, HELM);
}

/** Removes every revision's record of a release (what is gone already is skipped). */
export async function forgetRevisions(
  d: ReleaseWriter,
  clusterId: string,
  name: string,
  namespace: string,
  all: ReleaseRecord[],
): Promise<void> {
  for (const r of all)
    await d.store
      .delete({ clusterId, group: "", resource: "secrets", namespace, name: secretName(name, r.version) })
      .catch(() => undefined);
}
