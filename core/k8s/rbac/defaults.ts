import type { PolicyRule, Role, RoleBinding } from "./types";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];

const WORKLOADS: PolicyRule[] = [
  {
    apiGroups: [""],
    resources: [
      "pods",
      "pods/log",
      "pods/status",
      "services",
      "services/status",
      "endpoints",
      "configmaps",
      "persistentvolumeclaims",
      "persistentvolumeclaims/status",
      "serviceaccounts",
      "events",
      "replicationcontrollers",
    ],
    verbs: READ,
  },
  { apiGroups: [""], resources: ["namespaces", "namespaces/status"], verbs: READ },
  { apiGroups: ["apps", "batch", "autoscaling", "policy"], resources: ["*"], verbs: READ },
  {
    apiGroups: ["networking.k8s.io", "discovery.k8s.io", "events.k8s.io", "metrics.k8s.io"],
    resources: ["*"],
    verbs: READ,
  },
];

const EDITS: PolicyRule[] = [
  {
    apiGroups: [""],
    resources: [
      "pods",
      "pods/exec",
      "pods/attach",
      "pods/portforward",
      "pods/eviction",
      "services",
      "endpoints",
      "configmaps",
      "secrets",
      "persistentvolumeclaims",
      "serviceaccounts",
      "replicationcontrollers",
    ],
    verbs: WRITE,
  },
  { apiGroups: [""], resources: ["secrets"], verbs: READ },
  {
    apiGroups: ["apps", "batch", "autoscaling", "policy", "networking.k8s.io"],
    resources: ["*"],
    verbs: WRITE,
  },
];

const clusterRole = (name: string, rules: PolicyRule[]): Role => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRole",
  metadata: { name, labels: { "kubernetes.io/bootstrapping": "rbac-defaults" } },
  rules,
});

/** The user-facing ClusterRoles every cluster is born with (kube-apiserver's bootstrap policy, abridged). */
export const DEFAULT_CLUSTER_ROLES: Role[] = [
  clusterRole("cluster-admin", [
    { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
    { nonResourceURLs: ["*"], verbs: ["*"] },
  ]),
  clusterRole("admin", [
    ...WORKLOADS,
    ...EDITS,
    {
      apiGroups: ["rbac.authorization.k8s.io"],
      resources: ["roles", "rolebindings"],
      verbs: [...READ, ...WRITE],
    },
  ]),
  clusterRole("edit", [...WORKLOADS, ...EDITS]),
  clusterRole("view", WORKLOADS),
];

/** cluster-admin for the system:masters group, as in every kubeadm cluster. */
export const DEFAULT_CLUSTER_ROLE_BINDINGS: RoleBinding[] = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "cluster-admin", labels: { "kubernetes.io/bootstrapping": "rbac-defaults" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:masters" }],
  },
];
