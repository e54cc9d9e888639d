import { describe, expect, it } from "vitest";
import { authorize, forbiddenMessage, rulesFor, serviceAccountUser } from "./authorize";
import { DEFAULT_CLUSTER_ROLE_BINDINGS, DEFAULT_CLUSTER_ROLES } from "./defaults";
import type { Policy, Role, RoleBinding } from "./types";

const reader: Role = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "Role",
  metadata: { name: "pod-reader", namespace: "team" },
  rules: [
    { apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] },
    { apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["web"], verbs: ["get"] },
  ],
};
const binding = (
  name: string,
  namespace: string | undefined,
  roleRef: RoleBinding["roleRef"],
  subjects: RoleBinding["subjects"],
): RoleBinding => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: namespace ? "RoleBinding" : "ClusterRoleBinding",
  metadata: namespace ? { name, namespace } : { name },
  roleRef,
  subjects,
});
const policy: Policy = {
  roles: [reader],
  clusterRoles: DEFAULT_CLUSTER_ROLES,
  roleBindings: [
    binding(
      "read-pods",
      "team",
      { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
      [{ kind: "ServiceAccount", name: "bot" }],
    ),
    binding("viewers", "team", { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, [
      { kind: "Group", name: "students", apiGroup: "rbac.authorization.k8s.io" },
    ]),
  ],
  clusterRoleBindings: DEFAULT_CLUSTER_ROLE_BINDINGS,
};
const bot = serviceAccountUser("team", "bot");

describe("authorize", () => {
  it("allows what a namespaced binding grants, there only", () => {
    expect(authorize(policy, bot, { verb: "list", apiGroup: "", resource: "pods", namespace: "team" })).toBe(
      true,
    );
    expect(
      authorize(policy, bot, {
        verb: "get",
        apiGroup: "",
        resource: "pods",
        subresource: "log",
        namespace: "team",
      }),
    ).toBe(true);
    expect(
      authorize(policy, bot, { verb: "list", apiGroup: "", resource: "pods", namespace: "default" }),
    ).toBe(false);
    expect(
      authorize(policy, bot, { verb: "delete", apiGroup: "", resource: "pods", namespace: "team" }),
    ).toBe(false);
    expect(
      authorize(policy, bot, {
        verb: "create",
        apiGroup: "",
        resource: "pods",
        subresource: "exec",
        namespace: "team",
      }),
    ).toBe(false);
  });
  it("honours resourceNames, groups and cluster roles bound in a namespace", () => {
    const get = (name: string) => ({
      verb: "get",
      apiGroup: "apps",
      resource: "deployments",
      namespace: "team",
      name,
    });
    expect(authorize(policy, bot, get("web"))).toBe(true);
    expect(authorize(policy, bot, get("db"))).toBe(false);
    const student = { username: "ada", groups: ["students", "system:authenticated"] };
    expect(
      authorize(policy, student, {
        verb: "watch",
        apiGroup: "apps",
        resource: "deployments",
        namespace: "team",
      }),
    ).toBe(true);
    expect(
      authorize(policy, student, { verb: "get", apiGroup: "", resource: "secrets", namespace: "team" }),
    ).toBe(false);
    expect(rulesFor(policy, student, "team").length).toBeGreaterThan(0);
  });
  it("lets system:masters do anything and words refusals as kube-apiserver", () => {
    expect(
      authorize(
        policy,
        { username: "admin", groups: ["system:masters"] },
        { verb: "*", apiGroup: "x", resource: "y" },
      ),
    ).toBe(true);
    expect(
      forbiddenMessage(bot, { verb: "list", apiGroup: "", resource: "pods", namespace: "default" }),
    ).toBe(
      'pods is forbidden: User "system:serviceaccount:team:bot" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    expect(
      forbiddenMessage(bot, {
        verb: "get",
        apiGroup: "apps",
        resource: "deployments",
        name: "db",
        namespace: "team",
      }),
    ).toBe(
      'deployments.apps "db" is forbidden: User "system:serviceaccount:team:bot" cannot get resource "deployments" in API group "apps" in the namespace "team"',
    );
    expect(forbiddenMessage(bot, { verb: "list", apiGroup: "", resource: "nodes" })).toContain(
      "at the cluster scope",
    );
  });
});
