import type { CustomVersion } from "./crd/types";

/** The resource types a virtual cluster serves: the single source for discovery, routing and storage. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: the path segment and storage key. */
  resource: string;
  kind: string;
  singularName: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served, e.g. `status`, `log`, `binding`. */
  subresources: string[];
  /** Served from the platform rather than stored per cluster (nodes). */
  virtual?: boolean;
  /** Served from one of the cluster's CustomResourceDefinitions. */
  custom?: CustomVersion;
}

const CRUD = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const READ_ONLY = ["get", "list", "watch"];

function core(
  resource: string,
  kind: string,
  opts: Partial<Omit<ResourceType, "group" | "version" | "resource" | "kind">> = {},
): ResourceType {
  return {
    group: "",
    version: "v1",
    resource,
    kind,
    singularName: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: CRUD,
    subresources: [],
    ...opts,
  };
}

function apps(resource: string, kind: string, shortNames: string[]): ResourceType {
  return {
    group: "apps",
    version: "v1",
    resource,
    kind,
    singularName: kind.toLowerCase(),
    namespaced: true,
    shortNames,
    categories: ["all"],
    verbs: CRUD,
    subresources: ["scale", "status"],
  };
}

function network(
  group: string,
  resource: string,
  kind: string,
  shortNames: string[],
  opts: Partial<ResourceType> = {},
): ResourceType {
  return { ...core(resource, kind, { shortNames, ...opts }), group };
}

function autoscaling(version: string): ResourceType {
  return {
    ...core("horizontalpodautoscalers", "HorizontalPodAutoscaler", {
      shortNames: ["hpa"],
      categories: ["all"],
      subresources: ["status"],
    }),
    group: "autoscaling",
    version,
  };
}

/** metrics.k8s.io: read-only, from the node agents' samples. */
function metrics(resource: string, kind: string, namespaced: boolean): ResourceType {
  return {
    ...core(resource, kind, { namespaced, verbs: ["get", "list"], virtual: true }),
    group: "metrics.k8s.io",
    version: "v1beta1",
  };
}

function rbac(resource: string, kind: string, namespaced: boolean): ResourceType {
  return { ...core(resource, kind, { namespaced }), group: "rbac.authorization.k8s.io" };
}

/** Access reviews: created and answered at once, never stored. */
function review(group: string, resource: string, kind: string, namespaced = false): ResourceType {
  return { ...core(resource, kind, { namespaced, verbs: ["create"], virtual: true }), group };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  core("pods", "Pod", {
    shortNames: ["po"],
    categories: ["all"],
    subresources: [
      "attach",
      "binding",
      "ephemeralcontainers",
      "eviction",
      "exec",
      "log",
      "portforward",
      "status",
    ],
  }),
  core("namespaces", "Namespace", {
    namespaced: false,
    shortNames: ["ns"],
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    subresources: ["status"],
  }),
  core("nodes", "Node", {
    namespaced: false,
    shortNames: ["no"],
    verbs: [...READ_ONLY, "patch", "update"],
    virtual: true,
  }),
  core("events", "Event", { shortNames: ["ev"] }),
  autoscaling("v2"),
  // stored as autoscaling/v2 (core/k8s/views.ts); kubectl up to 1.32 writes v1
  autoscaling("v1"),
  metrics("pods", "PodMetrics", true),
  metrics("nodes", "NodeMetrics", false),
  // stored as core/v1 Events (core/k8s/views.ts)
  network("events.k8s.io", "events", "Event", ["ev"]),
  core("configmaps", "ConfigMap", { shortNames: ["cm"] }),
  core("secrets", "Secret"),
  core("serviceaccounts", "ServiceAccount", { shortNames: ["sa"], subresources: ["token"] }),
  core("resourcequotas", "ResourceQuota", { shortNames: ["quota"], subresources: ["status"] }),
  core("limitranges", "LimitRange", { shortNames: ["limits"] }),
  core("persistentvolumeclaims", "PersistentVolumeClaim", { shortNames: ["pvc"], subresources: ["status"] }),
  core("persistentvolumes", "PersistentVolume", {
    namespaced: false,
    shortNames: ["pv"],
    subresources: ["status"],
  }),
  network("storage.k8s.io", "storageclasses", "StorageClass", ["sc"], { namespaced: false }),
  core("services", "Service", { shortNames: ["svc"], categories: ["all"], subresources: ["status"] }),
  core("endpoints", "Endpoints", { shortNames: ["ep"], singularName: "endpoints" }),
  network("discovery.k8s.io", "endpointslices", "EndpointSlice", []),
  network("networking.k8s.io", "ingresses", "Ingress", ["ing"], { subresources: ["status"] }),
  network("policy", "poddisruptionbudgets", "PodDisruptionBudget", ["pdb"], { subresources: ["status"] }),
  network("networking.k8s.io", "ingressclasses", "IngressClass", [], { namespaced: false }),
  network("networking.k8s.io", "networkpolicies", "NetworkPolicy", ["netpol"]),
  rbac("roles", "Role", true),
  rbac("rolebindings", "RoleBinding", true),
  rbac("clusterroles", "ClusterRole", false),
  rbac("clusterrolebindings", "ClusterRoleBinding", false),
  review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
  review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
  review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview"),
  review("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", true),
  review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview"),
  apps("deployments", "Deployment", ["deploy"]),
  apps("replicasets", "ReplicaSet", ["rs"]),
  apps("statefulsets", "StatefulSet", ["sts"]),
  { ...apps("daemonsets", "DaemonSet", ["ds"]), subresources: ["status"] },
  { ...apps("controllerrevisions", "ControllerRevision", []), categories: [], subresources: [] },
  {
    group: "scheduling.k8s.io",
    version: "v1",
    resource: "priorityclasses",
    kind: "PriorityClass",
    singularName: "priorityclass",
    namespaced: false,
    shortNames: ["pc"],
    categories: [],
    verbs: CRUD,
    subresources: [],
  },
  {
    ...core("customresourcedefinitions", "CustomResourceDefinition", {
      namespaced: false,
      shortNames: ["crd", "crds"],
      categories: ["api-extensions"],
      subresources: ["status"],
    }),
    group: "apiextensions.k8s.io",
  },
  {
    group: "batch",
    version: "v1",
    resource: "jobs",
    kind: "Job",
    singularName: "job",
    namespaced: true,
    shortNames: [],
    categories: ["all"],
    verbs: CRUD,
    subresources: ["status"],
  },
  {
    group: "batch",
    version: "v1",
    resource: "cronjobs",
    kind: "CronJob",
    singularName: "cronjob",
    namespaced: true,
    shortNames: ["cj"],
    categories: ["all"],
    verbs: CRUD,
    subresources: ["status"],
  },
];

export function groupVersion(t: Pick<ResourceType, "group" | "version">): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function findResourceType(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

export function findResourceTypeByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => groupVersion(t) === apiVersion && t.kind === kind);
}

export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const t of RESOURCE_TYPES) seen.set(groupVersion(t), { group: t.group, version: t.version });
  return [...seen.values()];
}
