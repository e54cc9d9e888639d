import type { CustomResourceDefinition } from "./crd/types";
import { groupVersion, RESOURCE_TYPES, type ResourceType } from "./resources";

const CRUD = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * kube-apiserver's version priority: GA before beta before alpha, then higher numbers first; versions that
 * do not look like Kubernetes versions last, alphabetically.
 */
export function compareVersions(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma || !mb) return ma ? -1 : mb ? 1 : a.localeCompare(b);
  const stage = (m: RegExpExecArray) => (m[2] === undefined ? 2 : m[2] === "beta" ? 1 : 0);
  if (stage(ma) !== stage(mb)) return stage(mb) - stage(ma);
  if (ma[1] !== mb[1]) return Number(mb[1]) - Number(ma[1]);
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

export function isEstablished(crd: CustomResourceDefinition): boolean {
  return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
}

/** The ResourceTypes an established CRD serves, one per served version. */
export function typesOfCrd(crd: CustomResourceDefinition): ResourceType[] {
  if (!isEstablished(crd)) return [];
  const { group, scope, versions } = crd.spec;
  // served under the names accepted, which a later update naming a taken name does not change
  const names = crd.status?.acceptedNames?.kind ? crd.status.acceptedNames : crd.spec.names;
  const storageVersion = versions.find((v) => v.storage)?.name ?? versions[0]?.name ?? "";
  return versions
    .filter((v) => v.served)
    .map((v) => ({
      group,
      version: v.name,
      resource: names.plural,
      kind: names.kind,
      singularName: names.singular || names.kind.toLowerCase(),
      namespaced: scope === "Namespaced",
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      verbs: CRUD,
      subresources: [
        ...(v.subresources?.status ? ["status"] : []),
        ...(v.subresources?.scale ? ["scale"] : []),
      ],
      custom: {
        crd: crd.metadata.name ?? "",
        storageVersion,
        schema: v.schema?.openAPIV3Schema,
        status: Boolean(v.subresources?.status),
        ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
        printerColumns: v.additionalPrinterColumns ?? [],
        terminating: crd.metadata.deletionTimestamp !== undefined,
        ...(v.deprecated
          ? { deprecationWarning: v.deprecationWarning ?? `${group}/${v.name} ${names.kind} is deprecated` }
          : {}),
      },
    }));
}

/**
 * The resource types one cluster serves: the built-in table, then what its established CustomResourceDefinitions
 * add. Immutable; rebuilt when the cluster's CRDs change.
 */
export class ServedTypes {
  readonly all: readonly ResourceType[];

  constructor(crds: CustomResourceDefinition[] = []) {
    const custom = crds
      .flatMap(typesOfCrd)
      .sort((a, b) => a.group.localeCompare(b.group) || compareVersions(a.version, b.version));
    this.all = [...RESOURCE_TYPES, ...custom];
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.all.find((t) => t.group === group && t.version === version && t.resource === resource);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.all.find((t) => groupVersion(t) === apiVersion && t.kind === kind);
  }

  /** Served group versions, built-in first, each group's preferred version first. */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const t of this.all) seen.set(groupVersion(t), { group: t.group, version: t.version });
    return [...seen.values()];
  }

  ofGroupVersion(group: string, version: string): ResourceType[] {
    return this.all.filter((t) => t.group === group && t.version === version);
  }
}

export const BUILT_IN_TYPES = new ServedTypes();
