import type { KubeObject } from "../types";

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Role extends KubeObject {
  rules?: PolicyRule[];
}

export interface Subject {
  kind: "User" | "Group" | "ServiceAccount";
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleBinding extends KubeObject {
  roleRef: { apiGroup: string; kind: "Role" | "ClusterRole"; name: string };
  subjects?: Subject[];
}

/** Who a request acts as. */
export interface UserInfo {
  username: string;
  groups: string[];
  uid?: string;
}

/** What a request does, as the authorizer sees it (k8s.io/apiserver's authorizer.Attributes). */
export interface Attributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Set for requests outside the resource paths (`/healthz`, `/version`…). */
  path?: string;
}

/** A cluster's RBAC objects, read once per decision. */
export interface Policy {
  roles: Role[];
  clusterRoles: Role[];
  roleBindings: RoleBinding[];
  clusterRoleBindings: RoleBinding[];
}
