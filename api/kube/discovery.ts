import { groupVersion, type ResourceType } from "../../core/k8s/resources";
import { BUILT_IN_TYPES, type ServedTypes } from "../../core/k8s/served-types";
import { KUBE_VERSION } from "../../core/k8s/version";

export { KUBE_VERSION };

export function versionInfo() {
  return {
    ...KUBE_VERSION,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-11-01T00:00:00Z",
    goVersion: "go1.22.5",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function coreVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function apiGroupList(types: ServedTypes = BUILT_IN_TYPES) {
  const groups = new Map<string, string[]>();
  for (const gv of types.groupVersions()) {
    if (gv.group === "") continue;
    groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
  }
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ["get", "patch", "update"],
  log: ["get"],
  binding: ["create"],
  eviction: ["create"],
  portforward: ["create", "get"],
  exec: ["create", "get"],
  attach: ["create", "get"],
  scale: ["get", "patch", "update"],
};

const SUBRESOURCE_KINDS: Record<string, string> = {
  binding: "Binding",
  eviction: "Eviction",
  scale: "Scale",
  log: "Pod",
};

function apiResources(t: ResourceType) {
  const main = {
    name: t.resource,
    singularName: t.singularName,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
    ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length ? { categories: t.categories } : {}),
  };
  const subs = t.subresources.map((sub) => ({
    name: `${t.resource}/${sub}`,
    singularName: "",
    namespaced: t.namespaced,
    kind: SUBRESOURCE_KINDS[sub] ?? t.kind,
    ...(sub === "scale" ? { group: "autoscaling", version: "v1" } : {}),
    ...(sub === "eviction" ? { group: "policy", version: "v1" } : {}),
    ...(sub === "exec" || sub === "attach" || sub === "portforward" ? { kind: "PodExecOptions" } : {}),
    verbs: SUBRESOURCE_VERBS[sub] ?? ["get"],
  }));
  return [main, ...subs];
}

/** The APIResourceList of one group version, or undefined when it is not served. */
export function apiResourceList(group: string, version: string, served: ServedTypes = BUILT_IN_TYPES) {
  const types = served.ofGroupVersion(group, version);
  if (types.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: groupVersion({ group, version }),
    resources: types.flatMap(apiResources),
  };
}

type ApiResource = ReturnType<typeof apiResources>[number] & { group?: string; version?: string };

/** The aggregated discovery formats kubectl asks for first, newest first. */
const AGGREGATED = ["v2", "v2beta1"] as const;

/** The aggregated discovery version the client accepts (`Accept: …;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`), if any. */
export function aggregatedVersion(accept: string | undefined): (typeof AGGREGATED)[number] | undefined {
  const offered = (accept ?? "").split(",").map((range) => {
    const [type, ...params] = range.split(";").map((p) => p.trim());
    return { type, params: new Map(params.map((p) => p.split("=", 2) as [string, string])) };
  });
  return AGGREGATED.find((v) =>
    offered.some(
      (o) =>
        o.type === "application/json" &&
        o.params.get("g") === "apidiscovery.k8s.io" &&
        o.params.get("v") === v &&
        o.params.get("as") === "APIGroupDiscoveryList",
    ),
  );
}

export const aggregatedContentType = (version: string) =>
  `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;

function discoveryResource(t: ResourceType) {
  const [main, ...subs] = apiResources(t) as ApiResource[];
  const responseKind = (r: ApiResource) => ({
    group: r.group ?? t.group,
    version: r.version ?? t.version,
    kind: r.kind,
  });
  return {
    resource: t.resource,
    responseKind: responseKind(main as ApiResource),
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singularName,
    verbs: t.verbs,
    ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length ? { categories: t.categories } : {}),
    ...(subs.length
      ? {
          subresources: subs.map((s) => ({
            subresource: s.name.slice(t.resource.length + 1),
            responseKind: responseKind(s),
            verbs: s.verbs,
          })),
        }
      : {}),
  };
}

/**
 * Aggregated discovery (apidiscovery.k8s.io): every group, version and resource in one answer, the core
 * group's for `/api`, the others' for `/apis`; each group's preferred version first.
 */
export function aggregatedDiscovery(version: string, core: boolean, types: ServedTypes = BUILT_IN_TYPES) {
  const groups = new Map<string, Map<string, ResourceType[]>>();
  for (const gv of types.groupVersions()) {
    if ((gv.group === "") !== core) continue;
    const versions = groups.get(gv.group) ?? new Map<string, ResourceType[]>();
    versions.set(gv.version, types.ofGroupVersion(gv.group, gv.version));
    groups.set(gv.group, versions);
  }
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [...groups].map(([name, versions]) => ({
      metadata: { name, creationTimestamp: null },
      versions: [...versions].map(([v, list]) => ({
        version: v,
        resources: list.map(discoveryResource),
        freshness: "Current",
      })),
    })),
  };
}
