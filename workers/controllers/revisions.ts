import { createHash } from "node:crypto";
import { controllerRef } from "../../core/k8s/owners";
import type { KubeObject } from "../../core/k8s/types";
import {
  CONTROLLER_REVISION_HASH_LABEL,
  type ControllerRevision,
  type PodTemplate,
} from "../../core/k8s/workloads/types";

const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** JSON with object keys sorted: equal templates hash alike whatever order their keys were written in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The revision data kubectl's rollout undo patches back: the template, replacing the current one. */
export function revisionData(template: PodTemplate): ControllerRevision["data"] {
  return JSON.parse(canonicalJson({ spec: { template: { ...template, $patch: "replace" } } }));
}

/** A short hash of a template in Kubernetes' safe alphabet: the `controller-revision-hash` label. */
export function revisionHash(template: PodTemplate): string {
  const digest = createHash("sha256")
    .update(canonicalJson(revisionData(template)))
    .digest();
  let out = "";
  for (let i = 0; i < 10; i++) out += SAFE_ALPHABET[(digest[i] ?? 0) % SAFE_ALPHABET.length];
  return out;
}

/** The pod template a revision recorded. */
export function templateOf(rev: ControllerRevision): PodTemplate {
  const { $patch: _, ...template } = rev.data.spec.template;
  return structuredClone(template);
}

export interface RevisionPlan {
  /** The revision of the owner's template as it is now (existing, or `create`). */
  update: ControllerRevision;
  create?: ControllerRevision;
  /** An older revision whose template is current again (a rollback) gets the next number. */
  renumber?: { name: string; revision: number };
  /** Revisions beyond revisionHistoryLimit that neither the owner nor a pod still uses, oldest first. */
  remove: string[];
}

/**
 * The owner's revision history for one pass, as kube-controller-manager keeps it: one revision per
 * distinct template, numbered in order of use, pruned to `limit` unused ones. `inUse` holds revision
 * names that pods or the owner's status still refer to. Pure.
 */
export function planRevisions(
  owner: KubeObject & { spec: { template: PodTemplate } },
  existing: ControllerRevision[],
  inUse: Set<string>,
  limit: number,
): RevisionPlan {
  const hash = revisionHash(owner.spec.template);
  const name = `${owner.metadata.name}-${hash}`;
  const max = existing.reduce((m, r) => Math.max(m, r.revision), 0);
  const found = existing.find((r) => r.metadata.name === name);
  let update: ControllerRevision;
  let create: ControllerRevision | undefined;
  let renumber: RevisionPlan["renumber"];
  if (found) {
    update = found;
    if (found.revision < max) {
      renumber = { name, revision: max + 1 };
      update = { ...found, revision: max + 1 };
    }
  } else {
    create = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        labels: { ...owner.spec.template.metadata?.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash },
        ...(owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
        ownerReferences: [controllerRef(owner)],
      },
      data: revisionData(owner.spec.template),
      revision: max + 1,
    };
    update = create;
  }
  const live = new Set([...inUse, name]);
  const prunable = existing
    .filter((r) => !live.has(r.metadata.name ?? ""))
    .sort((a, b) => a.revision - b.revision);
  const remove = prunable.slice(0, Math.max(0, prunable.length - limit)).map((r) => r.metadata.name ?? "");
  return { update, ...(create ? { create } : {}), ...(renumber ? { renumber } : {}), remove };
}
