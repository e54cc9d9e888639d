import { KubeError, statusFailure } from "../errors";

export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueDuplicate"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueNotFound";

/** One problem with one field, as k8s.io/apimachinery's field.Error. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
}

const LABELS: Record<FieldErrorType, string> = {
  FieldValueRequired: "Required value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  FieldValueNotFound: "Not found",
};

function quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined || value === null) return "null";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The error's message without the field: `Invalid value: "x": detail`. */
export function errorBody(e: FieldError): string {
  const label = LABELS[e.type];
  const showsValue =
    e.type === "FieldValueInvalid" ||
    e.type === "FieldValueNotSupported" ||
    e.type === "FieldValueDuplicate" ||
    e.type === "FieldValueTooMany" ||
    e.type === "FieldValueNotFound";
  const value = showsValue ? `: ${quote(e.value)}` : "";
  return `${label}${value}${e.detail ? `: ${e.detail}` : ""}`;
}

export const fieldErrors = {
  required: (field: string, detail?: string): FieldError => ({
    type: "FieldValueRequired",
    field,
    ...(detail ? { detail } : {}),
  }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: "FieldValueInvalid",
    field,
    value,
    detail,
  }),
  notSupported: (field: string, value: unknown, supported: string[]): FieldError => ({
    type: "FieldValueNotSupported",
    field,
    value,
    detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}`,
  }),
  notFound: (field: string, value: unknown): FieldError => ({ type: "FieldValueNotFound", field, value }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: "FieldValueDuplicate", field, value }),
  forbidden: (field: string, detail: string): FieldError => ({ type: "FieldValueForbidden", field, detail }),
};

/** kube-apiserver's 422 for a list of field errors: `Pod "x" is invalid: [a: …, b: …]`. */
export function invalidError(kind: string, name: string, errors: FieldError[], group = ""): KubeError {
  const parts = errors.map((e) => `${e.field}: ${errorBody(e)}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return new KubeError(
    statusFailure(422, "Invalid", `${kind} "${name}" is invalid: ${summary}`, {
      name,
      ...(group ? { group } : {}),
      kind,
      causes: errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field })),
    }),
  );
}
