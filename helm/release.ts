import { gunzipSync, gzipSync } from "node:zlib";
import { parseAllDocuments } from "yaml";

/** A release revision as Helm 3 stores it (the JSON inside `sh.helm.release.v1.NAME.vN` Secrets). */
export interface ReleaseRecord {
  name: string;
  namespace: string;
  version: number;
  info: {
    first_deployed: string;
    last_deployed: string;
    deleted: string;
    description: string;
    status:
      | "deployed"
      | "superseded"
      | "failed"
      | "uninstalling"
      | "uninstalled"
      | "pending-install"
      | "pending-upgrade"
      | "pending-rollback";
    notes?: string;
  };
  chart: {
    metadata: { name: string; version: string; appVersion?: string; apiVersion: string };
    values: Record<string, unknown>;
  };
  config: Record<string, unknown>;
  manifest: string;
  /** The chart's hooks, run around install, upgrade, rollback and uninstall. */
  hooks?: Hook[];
}

/** A hook as Helm keeps it in the release record. */
export interface Hook {
  name: string;
  kind: string;
  path: string;
  manifest: string;
  events: string[];
  weight: number;
  delete_policies: string[];
}

/** Helm's storage encoding: JSON, gzipped, base64. */
export function encodeRelease(record: ReleaseRecord): string {
  return gzipSync(Buffer.from(JSON.stringify(record))).toString("base64");
}

export function decodeRelease(encoded: string): ReleaseRecord {
  return JSON.parse(gunzipSync(Buffer.from(encoded, "base64")).toString()) as ReleaseRecord;
}

export const secretName = (name: string, version: number) => `sh.helm.release.v1.${name}.v${version}`;

/** The Secret the Helm CLI reads a release revision from (the Secret's data is base64 again). */
export function releaseSecret(record: ReleaseRecord) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secretName(record.name, record.version),
      namespace: record.namespace,
      labels: {
        name: record.name,
        owner: "helm",
        status: record.info.status,
        version: String(record.version),
      },
    },
    type: "helm.sh/release.v1",
    data: { release: Buffer.from(encodeRelease(record)).toString("base64") },
  };
}

/** The objects of a stored manifest, in its order. */
export function manifestObjects(manifest: string): Record<string, unknown>[] {
  return parseAllDocuments(manifest)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null && typeof o === "object" && "kind" in o);
}

/** The hooks of rendered documents, with their weights and delete policies (before-hook-creation by default). */
export function hooksOf(manifests: { path: string; text: string; hook?: string[] }[]): Hook[] {
  return manifests
    .filter((m) => m.hook)
    .map((m) => {
      const obj = manifestObjects(m.text)[0] as
        | { kind?: string; metadata?: { name?: string; annotations?: Record<string, string> } }
        | undefined;
      const annotations = obj?.metadata?.annotations ?? {};
      return {
        name: obj?.metadata?.name ?? "",
        kind: obj?.kind ?? "",
        path: m.path,
        manifest: m.text,
        events: m.hook ?? [],
        weight: Number(annotations["helm.sh/hook-weight"] ?? 0) || 0,
        delete_policies: (annotations["helm.sh/hook-delete-policy"] ?? "before-hook-creation")
          .split(",")
          .map((p) => p.trim()),
      };
    });
}
