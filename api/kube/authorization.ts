import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { kubeErrors } from "../../core/k8s/errors";
import { authorize, forbiddenMessage, serviceAccountUser } from "../../core/k8s/rbac/authorize";
import type { Attributes, Policy, Role, RoleBinding, UserInfo } from "../../core/k8s/rbac/types";
import { findResourceType, type ResourceType } from "../../core/k8s/resources";
import type { ApiDeps, AppEnv, Principal } from "../env";
import type { RequestInfo } from "./request-info";

/** Who holds a cluster's token: kubeadm's admin user, in the superuser group. */
export const CLUSTER_ADMIN: UserInfo = {
  username: "kubernetes-admin",
  groups: ["kubeadm:cluster-admins", "system:masters", "system:authenticated"],
};

/** The user a request acts as: the token's holder, or whom it impersonates (`kubectl --as`, `--as-group`). */
export function requestUser(c: Context<AppEnv>): { user: UserInfo; restricted: boolean } {
  return userOf(c.var.principal, (name) => c.req.raw.headers.get(name) ?? undefined);
}

/**
 * Who a request acts as, and whether RBAC decides for it: a ServiceAccount token is that account (which
 * may not impersonate); a cluster's or the admin's token is cluster-admin, or whom it impersonates.
 */
function userOf(
  principal: Principal | undefined,
  header: (name: string) => string | undefined,
): { user: UserInfo; restricted: boolean } {
  if (principal?.kind !== "serviceaccount") return impersonation(header);
  const user = serviceAccountUser(principal.namespace, principal.name);
  const wanted = header("impersonate-user");
  if (wanted || header("impersonate-group"))
    throw kubeErrors.forbidden(
      `users "${wanted ?? ""}" is forbidden: User "${user.username}" cannot impersonate resource "users" in API group "" at the cluster scope`,
    );
  return { user, restricted: true };
}

function impersonation(header: (name: string) => string | undefined): {
  user: UserInfo;
  restricted: boolean;
} {
  const username = header("impersonate-user");
  const groups = header("impersonate-group")
    ?.split(",")
    .map((g) => g.trim())
    .filter(Boolean);
  if (!username && !groups?.length) return { user: CLUSTER_ADMIN, restricted: false };
  if (!username) throw kubeErrors.badRequest("impersonating groups requires a user: set Impersonate-User");
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  const base =
    sa?.[1] && sa[2] ? serviceAccountUser(sa[1], sa[2]) : { username, groups: ["system:authenticated"] };
  return { user: { ...base, groups: [...new Set([...(groups ?? []), ...base.groups])] }, restricted: true };
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
 * RBAC for the requests it decides: a ServiceAccount token's, and impersonated ones. The holder of a
 * cluster's token is cluster-admin, so its own requests need no check; `kubectl --as=…` or
 * `--token=$(kubectl create token …)` gets what the cluster's Roles and bindings grant.
 */
export async function authorizeRequest(c: Context<AppEnv>, info: RequestInfo): Promise<void> {
  const { user, restricted } = requestUser(c);
  if (!restricted) return;
  const watch = ["1", "true"].includes(c.req.query("watch") ?? "");
  await enforce(c.var.deps, c.var.cluster.id, user, attributesOf(c.req.method, info, watch));
}

/**
 * RBAC for the streaming subresources (`pods/exec`, `attach`, `portforward`), reached by an upgrade
 * rather than through the router: the verb is the request's (`get` for WebSocket, `create` for SPDY).
 */
export async function authorizeStream(
  deps: ApiDeps,
  clusterId: string,
  principal: Principal,
  req: IncomingMessage,
  target: { namespace: string; name: string; subresource: string },
): Promise<void> {
  const { user, restricted } = userOf(principal, (name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(",") : value;
  });
  if (!restricted) return;
  const pods = findResourceType("", "v1", "pods") as ResourceType;
  await enforce(deps, clusterId, user, attributesOf(req.method ?? "GET", { type: pods, ...target }, false));
}

async function enforce(deps: ApiDeps, clusterId: string, user: UserInfo, attributes: Attributes) {
  if (!authorize(await clusterPolicy(deps, clusterId), user, attributes))
    throw kubeErrors.forbidden(forbiddenMessage(user, attributes));
}
