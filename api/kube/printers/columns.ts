import type { KubeObject } from "../../../core/k8s/types";

/** A Table column as meta.k8s.io/v1 describes it. */
export interface Column {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  priority: number;
}

/** How one kind is printed: its columns and the cells of one object. */
export interface Printer {
  columns: Column[];
  row(obj: KubeObject, now: Date): unknown[];
}

export function column(name: string, description: string, extra: Partial<Column> = {}): Column {
  return { name, type: "string", format: "", description, priority: 0, ...extra };
}

export const NAME = column(
  "Name",
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  { format: "name" },
);

export const AGE = column(
  "Age",
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
);
