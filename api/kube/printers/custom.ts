import { evaluateJsonPath } from "../../../core/k8s/crd/json-path";
import type { CustomVersion, PrinterColumn } from "../../../core/k8s/crd/types";
import type { KubeObject } from "../../../core/k8s/types";
import { AGE, type Column, column, NAME, type Printer } from "./columns";
import { since } from "./duration";

function cell(obj: KubeObject, col: PrinterColumn, now: Date): unknown {
  const values = evaluateJsonPath(obj, col.jsonPath);
  if (values.length === 0) return null;
  const [first] = values;
  switch (col.type) {
    case "date":
      return typeof first === "string" ? since(first, now) : null;
    case "integer":
      return typeof first === "number" ? Math.trunc(first) : null;
    case "number":
      return typeof first === "number" ? first : null;
    case "boolean":
      return typeof first === "boolean" ? first : null;
    default:
      return values.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(",");
  }
}

/**
 * How a CRD version prints: Name, then its additionalPrinterColumns evaluated by JSONPath (dates as ages),
 * or Name and Age when it declares none, as kube-apiserver's table convertor.
 */
export function customPrinter(custom: CustomVersion): Printer {
  if (custom.printerColumns.length === 0)
    return {
      columns: [NAME, AGE],
      row: (o, now) => [o.metadata.name, since(o.metadata.creationTimestamp, now)],
    };
  const columns: Column[] = custom.printerColumns.map((c) =>
    column(c.name, c.description ?? "", {
      type: c.type as Column["type"],
      format: c.format ?? "",
      priority: c.priority ?? 0,
    }),
  );
  return {
    columns: [NAME, ...columns],
    row: (o, now) => [o.metadata.name, ...custom.printerColumns.map((c) => cell(o, c, now))],
  };
}
