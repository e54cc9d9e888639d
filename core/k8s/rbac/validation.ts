import { type FieldError, fieldErrors } from "../validation/field-errors";
import type { Role, RoleBinding } from "./types";

const SUBJECT_KINDS = ["User", "Group", "ServiceAccount"];

/** A Role's or ClusterRole's rules, as kube-apiserver checks them. */
export function validateRole(role: Role): FieldError[] {
  return (role.rules ?? []).flatMap((rule, i) => {
    const errors: FieldError[] = [];
    const at = `rules[${i}]`;
    if (!rule.verbs?.length)
      errors.push(fieldErrors.required(`${at}.verbs`, "verbs must contain at least one value"));
    if (rule.nonResourceURLs?.length) {
      if (role.kind === "Role")
        errors.push(
          fieldErrors.invalid(
            `${at}.nonResourceURLs`,
            rule.nonResourceURLs,
            "namespaced rules cannot apply to non-resource URLs",
          ),
        );
      if (rule.apiGroups?.length || rule.resources?.length)
        errors.push(
          fieldErrors.invalid(
            `${at}.nonResourceURLs`,
            rule.nonResourceURLs,
            "rules cannot apply to both regular resources and non-resource URLs",
          ),
        );
    } else {
      if (!rule.apiGroups?.length)
        errors.push(
          fieldErrors.required(`${at}.apiGroups`, "resource rules must supply at least one api group"),
        );
      if (!rule.resources?.length)
        errors.push(
          fieldErrors.required(`${at}.resources`, "resource rules must supply at least one resource"),
        );
    }
    return errors;
  });
}

export function validateBinding(binding: RoleBinding): FieldError[] {
  const errors: FieldError[] = [];
  const ref = binding.roleRef;
  if (!ref?.name) errors.push(fieldErrors.required("roleRef.name"));
  const kinds = binding.kind === "RoleBinding" ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (ref && !kinds.includes(ref.kind))
    errors.push(fieldErrors.notSupported("roleRef.kind", ref.kind, kinds));
  if (ref && ref.apiGroup !== "rbac.authorization.k8s.io")
    errors.push(fieldErrors.notSupported("roleRef.apiGroup", ref.apiGroup, ["rbac.authorization.k8s.io"]));
  (binding.subjects ?? []).forEach((s, i) => {
    if (!SUBJECT_KINDS.includes(s.kind))
      errors.push(fieldErrors.notSupported(`subjects[${i}].kind`, s.kind, SUBJECT_KINDS));
    if (!s.name) errors.push(fieldErrors.required(`subjects[${i}].name`));
    if (s.kind === "ServiceAccount" && binding.kind === "ClusterRoleBinding" && !s.namespace)
      errors.push(fieldErrors.required(`subjects[${i}].namespace`));
  });
  return errors;
}

/** A binding's roleRef never changes: kubectl replaces the binding instead. */
export function validateBindingUpdate(next: RoleBinding, current: RoleBinding): FieldError[] {
  const errors = validateBinding(next);
  if (JSON.stringify(next.roleRef) !== JSON.stringify(current.roleRef))
    errors.push(fieldErrors.invalid("roleRef", next.roleRef, "cannot change roleRef"));
  return errors;
}
