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
