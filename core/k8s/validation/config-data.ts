import type { KubeObject } from "../types";
import { type FieldError, fieldErrors } from "./field-errors";

/** A ConfigMap or a Secret: string data, plus binaryData or stringData. */
export interface ConfigData extends KubeObject {
  type?: string;
  immutable?: boolean;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  stringData?: Record<string, string>;
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const KEY_MESSAGE =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const REQUIRED_KEYS: Record<string, string[]> = {
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};
const IMMUTABLE_DETAIL = "field is immutable when `immutable` is set";

/** What kube-apiserver stores for a Secret: stringData folded into data as base64, type Opaque by default. */
export function foldStringData(secret: ConfigData): ConfigData {
  const out = structuredClone(secret);
  if (out.stringData) {
    out.data = { ...out.data };
    for (const [key, value] of Object.entries(out.stringData))
      out.data[key] = Buffer.from(value).toString("base64");
    delete out.stringData;
  }
  out.type ||= "Opaque";
  return out;
}

/** Keys of data and binaryData, and each Secret type's required keys. */
export function validateConfigData(obj: ConfigData): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of ["data", "binaryData"] as const)
    for (const key of Object.keys(obj[field] ?? {}))
      if (!CONFIG_KEY.test(key) || key.length > 253)
        errors.push(fieldErrors.invalid(`${field}[${key}]`, key, KEY_MESSAGE));
      else if (field === "binaryData" && obj.data && key in obj.data)
        errors.push(fieldErrors.invalid(`data[${key}]`, key, "duplicate of key present in binaryData"));
  if (obj.kind === "Secret")
    for (const key of REQUIRED_KEYS[obj.type ?? ""] ?? [])
      if (obj.data?.[key] === undefined) errors.push(fieldErrors.required(`data[${key}]`));
  return errors;
}

/** An immutable ConfigMap or Secret keeps its data; a Secret keeps its type. */
export function validateConfigDataUpdate(next: ConfigData, current: ConfigData): FieldError[] {
  const errors = validateConfigData(next);
  if (next.kind === "Secret" && (next.type ?? "Opaque") !== (current.type ?? "Opaque"))
    errors.push(fieldErrors.invalid("type", next.type, "field is immutable"));
  if (current.immutable) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
    if (!next.immutable) errors.push(fieldErrors.forbidden("immutable", IMMUTABLE_DETAIL));
    if (!same(next.data, current.data)) errors.push(fieldErrors.forbidden("data", IMMUTABLE_DETAIL));
    if (!same(next.binaryData, current.binaryData))
      errors.push(fieldErrors.forbidden("binaryData", IMMUTABLE_DETAIL));
  }
  return errors;
}
