import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { kubeErrors } from "../../core/k8s/errors";
import { authorize, forbiddenMessage, serviceAccountUser } from "../../core/k8s/rbac/authorize";
import type { Attributes, Policy, Role, RoleBinding, UserInfo } from "../../core/k8s/rbac/types";
import type { ApiDeps, AppEnv } from "../env";
import type { RequestInfo } from "./request-info";

/** Who holds a cluster's token: kubeadm's admin user, in the superuser group. */
export const CLUSTER_ADMIN: UserInfo = {
  username: "kubernetes-admin",
  groups: ["kubeadm:cluster-admins", "system:masters", "system:authenticated"],
};

/** The user a request acts as: the token's holder, or whom it impersonates (`kubectl --as`, `--as-group`). */
export function requestUser(c: Context<AppEnv>): { user: UserInfo; impersonated: boolean } {
  return impersonation((name) => c.req.raw.headers.get(name) ?? undefined);
}

function impersonation(header: (name: string) => string | undefined): {
  user: UserInfo;
  impersonated: boolean;
} {
  const username = header("impersonate-user");
  const groups = header("impersonate-group")
    ?.split(",")
    .map((g) => g.trim())
    .filter(Boolean);
  if (!username && !groups?.length) return { user: CLUSTER_ADMIN, impersonated: false };
  if (!username) throw kubeErrors.badRequest("impersonating groups requires a user: set Impersonate-User");
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  const base =
    sa?.[1] && sa[2] ? serviceAccountUser(sa[1], sa[2]) : { username, groups: ["system:authenticated"] };
  return { user: { ...base, groups: [...new Set([...(groups ?? []), ...base.groups])] }, impersonated: true };
}

/** A cluster's Roles, ClusterRoles and their bindings. */
export async function clusterPolicy(deps: ApiDeps, clusterId: string): Promise<Policy> {
  const list = async (resource: string) =>
    (await deps.store.list({ clusterId, group: "rbac.authorization.k8s.io", resource })).items;
  const [roles, clusterRoles, roleBindings, clusterRoleBindings] = await Promise.all([
    list("roles"),
    list("clusterroles"),
    list("rolebindings"),
    list("clusterrolebindings"),
  ]);
  return {
    roles: roles as Role[],
    clusterRoles: clusterRoles as Role[],
    roleBindings: roleBindings as RoleBinding[],
    clusterRoleBindings: clusterRoleBindings as RoleBinding[],
  };
}

const VERBS: Record<string, string> = { POST: "create", PUT: "update", PATCH: "patch" };

/** The authorizer's view of a resource request. */
export function attributesOf(method: string, info: RequestInfo, watch: boolean): Attributes {
  const verb =
    method === "GET"
      ? watch
        ? "watch"
        : info.name
          ? "get"
          : "list"
      : method === "DELETE"
        ? info.name
          ? "delete"
          : "deletecollection"
        : (VERBS[method] ?? method.toLowerCase());
  return {
    verb,
    apiGroup: info.type.group,
    resource: info.type.resource,
    ...(info.subresource ? { subresource: info.subresource } : {}),
    ...(info.namespace ? { namespace: info.namespace } : {}),
    ...(info.name ? { name: info.name } : {}),
  };
}

/**
 * RBAC for impersonated requests. The token's holder is cluster-admin, so its own requests need no check;
 * `kubectl --as=system:serviceaccount:ns:sa` gets what the cluster's Roles and bindings grant that account.
 */
export async function authorizeRequest(c: Context<AppEnv>, info: RequestInfo): Promise<void> {
  const { user, impersonated } = requestUser(c);
  if (!impersonated) return;
  const watch = ["1", "true"].includes(c.req.query("watch") ?? "");
  const attributes = attributesOf(c.req.method, info, watch);
  const policy = await clusterPolicy(c.var.deps, c.var.cluster.id);
  if (!authorize(policy, user, attributes)) throw kubeErrors.forbidden(forbiddenMessage(user, attributes));
}

/**
 * RBAC for the streaming subresources (`pods/exec`, `attach`, `portforward`), reached by an upgrade
 * rather than through the router: the verb is the request's (`get` for WebSocket, `create` for SPDY).
 */
export async function authorizeStream(
  deps: ApiDeps,
  clusterId: string,
  req: IncomingMessage,
  target: { namespace: string; name: string; subresource: string },
): Promise<void> {
  const { user, impersonated } = impersonation((name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(",") : value;
  });
  if (!impersonated) return;
  const attributes: Attributes = {
    verb: req.method === "GET" ? "get" : (VERBS[req.method ?? ""] ?? "create"),
    apiGroup: "",
    resource: "pods",
    ...target,
  };
  if (!authorize(await clusterPolicy(deps, clusterId), user, attributes))
    throw kubeErrors.forbidden(forbiddenMessage(user, attributes));
}
