import type { RoleBinding, Subject } from "../../../core/k8s/rbac/types";
import { AGE, column, NAME, type Printer } from "./columns";
import { since } from "./duration";

const CREATED_AT = column("Created At", "The time the role was created", { type: "date" });

const role: Printer = {
  columns: [NAME, CREATED_AT],
  row: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? ""],
};

const names = (subjects: Subject[] | undefined, kind: Subject["kind"], binding: RoleBinding) =>
  (subjects ?? [])
    .filter((s) => s.kind === kind)
    .map((s) =>
      kind === "ServiceAccount" ? `${s.namespace ?? binding.metadata.namespace ?? ""}/${s.name}` : s.name,
    )
    .join(", ");

const binding: Printer = {
  columns: [
    NAME,
    column("Role", "The role the binding grants"),
    AGE,
    column("Users", "The users the binding applies to", { priority: 1 }),
    column("Groups", "The groups the binding applies to", { priority: 1 }),
    column("ServiceAccounts", "The service accounts the binding applies to", { priority: 1 }),
  ],
  row: (o, now) => {
    const b = o as RoleBinding;
    return [
      b.metadata.name,
      `${b.roleRef.kind}/${b.roleRef.name}`,
      since(b.metadata.creationTimestamp, now),
      names(b.subjects, "User", b),
      names(b.subjects, "Group", b),
      names(b.subjects, "ServiceAccount", b),
    ];
  },
};

export const RBAC_PRINTERS: Record<string, Printer> = {
  Role: role,
  ClusterRole: role,
  RoleBinding: binding,
  ClusterRoleBinding: binding,
};
