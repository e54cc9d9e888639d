import type { Attributes, Policy, PolicyRule, Role, RoleBinding, Subject, UserInfo } from "./types";

const SA_PREFIX = "system:serviceaccount:";

/** The identity of a service account and the groups Kubernetes puts it in. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    username: `${SA_PREFIX}${namespace}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
}

function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  if (subject.kind === "User") return subject.name === user.username;
  if (subject.kind === "Group") return user.groups.includes(subject.name);
  const namespace = subject.namespace ?? bindingNamespace;
  return user.username === `${SA_PREFIX}${namespace}:${subject.name}`;
}

const has = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === "*" || v === value);

function resourceMatches(rule: PolicyRule, a: Attributes): boolean {
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (rule.resources ?? []).some(
    (r) => r === "*" || r === combined || (a.subresource !== undefined && r === `*/${a.subresource}`),
  );
}

/** Whether one rule allows the request (RBAC's RuleAllows). */
export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.path !== undefined)
    return (rule.nonResourceURLs ?? []).some(
      (u) => u === "*" || u === a.path || (u.endsWith("*") && a.path?.startsWith(u.slice(0, -1))),
    );
  if (!has(rule.apiGroups, a.apiGroup) || !resourceMatches(rule, a)) return false;
  return !rule.resourceNames?.length || (a.name !== undefined && rule.resourceNames.includes(a.name));
}

/** The rules a user holds in a namespace (or cluster-wide when namespace is undefined). */
export function rulesFor(policy: Policy, user: UserInfo, namespace: string | undefined): PolicyRule[] {
  const roleRules = (binding: RoleBinding): PolicyRule[] => {
    const pool: Role[] =
      binding.roleRef.kind === "ClusterRole"
        ? policy.clusterRoles
        : policy.roles.filter((r) => r.metadata.namespace === binding.metadata.namespace);
    return pool.find((r) => r.metadata.name === binding.roleRef.name)?.rules ?? [];
  };
  const bound = (binding: RoleBinding) =>
    (binding.subjects ?? []).some((s) => subjectMatches(s, user, binding.metadata.namespace));
  const rules = policy.clusterRoleBindings.filter(bound).flatMap(roleRules);
  if (namespace !== undefined)
    rules.push(
      ...policy.roleBindings.filter((b) => b.metadata.namespace === namespace && bound(b)).flatMap(roleRules),
    );
  return rules;
}

/** RBAC's decision; system:masters may do anything, as kube-apiserver's superuser group. */
export function authorize(policy: Policy, user: UserInfo, a: Attributes): boolean {
  if (user.groups.includes("system:masters")) return true;
  return rulesFor(policy, user, a.namespace).some((rule) => ruleAllows(rule, a));
}

/** kube-apiserver's 403 wording for a refused request. */
export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  if (a.path !== undefined) return `forbidden: User "${user.username}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const what = a.name ? `${qualified} "${a.name}"` : qualified;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return `${what} is forbidden: User "${user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
}
