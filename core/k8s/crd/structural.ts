import { isDeepStrictEqual } from "node:util";
import { type FieldError, fieldErrors } from "../validation/field-errors";
import { matchesPattern } from "./regex";
import type { JSONSchemaProps } from "./types";

/**
 * A structural schema applied to a value, as apiextensions-apiserver does for custom resources: pruning of
 * fields the schema does not declare, defaulting, and OpenAPI validation with kube-apiserver's messages and
 * field paths (`spec.ports[0].name`, `spec.labels[app]`). Pure.
 */

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const child = (path: string, key: string) => (path ? `${path}.${key}` : key);
/** The fields every object has whatever its schema: an embedded resource's or the root's. */
const RESOURCE_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

/**
 * Removes, in place, the fields the schema does not declare (unless `x-kubernetes-preserve-unknown-fields`)
 * and returns their paths. `root` keeps apiVersion, kind and metadata, as embedded resources do.
 */
export function prune(
  value: unknown,
  schema: JSONSchemaProps | undefined,
  path = "",
  root = false,
): string[] {
  if (!schema) return [];
  const out: string[] = [];
  if (Array.isArray(value)) {
    if (schema.items)
      for (const [i, item] of value.entries()) out.push(...prune(item, schema.items, `${path}[${i}]`));
    return out;
  }
  if (!isObject(value)) return out;
  const keepResource = root || schema["x-kubernetes-embedded-resource"];
  const preserve = schema["x-kubernetes-preserve-unknown-fields"];
  const additional = schema.additionalProperties;
  for (const [key, v] of Object.entries(value)) {
    const declared = schema.properties?.[key];
    if (declared) out.push(...prune(v, declared, child(path, key)));
    else if (isObject(additional)) out.push(...prune(v, additional, child(path, key)));
    else if (keepResource && RESOURCE_FIELDS.has(key)) continue;
    else if (!preserve && additional !== true) {
      out.push(child(path, key));
      delete value[key];
    }
  }
  return out;
}

/** Fills, in place, what is missing (or null where not nullable) with the schema's defaults, depth first. */
export function applyDefaults(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const missing = !(key in value) || (value[key] === null && !prop.nullable);
    if (missing && prop.default !== undefined) value[key] = structuredClone(prop.default);
    applyDefaults(value[key], prop);
  }
  if (isObject(schema.additionalProperties))
    for (const v of Object.values(value)) applyDefaults(v, schema.additionalProperties);
}

/** The OpenAPI type name of a JSON value, as the validator prints it. */
export function typeOf(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case "object":
      return isObject(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "boolean":
      return typeof v === "boolean";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    default:
      return true;
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const FORMATS: Record<string, (s: string) => boolean> = {
  "date-time": (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s),
  hostname: (s) =>
    s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i.test(s),
  ipv4: (s) => IPV4.test(s),
  ipv6: (s) => s.includes(":") && /^[0-9a-f:.]+$/i.test(s) && (s.match(/::/g)?.length ?? 0) <= 1,
  cidr: (s) => {
    const [ip, bits, extra] = s.split("/");
    if (extra !== undefined || !ip || !bits || !/^\d+$/.test(bits)) return false;
    return IPV4.test(ip) ? Number(bits) <= 32 : FORMATS.ipv6?.(ip) === true && Number(bits) <= 128;
  },
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  duration: (s) => /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s),
};

const at = (path: string) => path || "<nil>";

function tooMany(path: string, actual: number, max: number): FieldError {
  return {
    type: "FieldValueTooMany",
    field: at(path),
    value: actual,
    detail: `must have at most ${max} items`,
  };
}

function validateNumber(v: number, s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const bad = (detail: string) => errs.push(fieldErrors.invalid(at(path), v, `${path} in body ${detail}`));
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum))
    bad(`should be less than ${s.exclusiveMaximum ? "" : "or equal to "}${s.maximum}`);
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum))
    bad(`should be greater than ${s.exclusiveMinimum ? "" : "or equal to "}${s.minimum}`);
  if (s.multipleOf && Math.abs(v / s.multipleOf - Math.round(v / s.multipleOf)) > 1e-9)
    bad(`should be a multiple of ${s.multipleOf}`);
  if (s.format === "int32" && (v > 2 ** 31 - 1 || v < -(2 ** 31))) bad(`must be of type int32: "${v}"`);
  return errs;
}

function validateString(v: string, s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const length = [...v].length;
  if (s.maxLength !== undefined && length > s.maxLength)
    errs.push({
      type: "FieldValueTooLong",
      field: at(path),
      detail: `may not be longer than ${s.maxLength}`,
    });
  if (s.minLength !== undefined && length < s.minLength)
    errs.push(
      fieldErrors.invalid(at(path), v, `${path} in body should be at least ${s.minLength} chars long`),
    );
  if (s.pattern !== undefined && !matchesPattern(s.pattern, v))
    errs.push(fieldErrors.invalid(at(path), v, `${path} in body should match '${s.pattern}'`));
  const format = s.format ? FORMATS[s.format] : undefined;
  if (format && !format(v))
    errs.push(
      fieldErrors.invalid(at(path), v, `${path} in body must be of type ${s.format}: ${JSON.stringify(v)}`),
    );
  return errs;
}

function validateArray(v: unknown[], s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(tooMany(path, v.length, s.maxItems));
  if (s.minItems !== undefined && v.length < s.minItems)
    errs.push(
      fieldErrors.invalid(at(path), v.length, `${path} in body should have at least ${s.minItems} items`),
    );
  const listType = s["x-kubernetes-list-type"];
  if (listType === "set") {
    v.forEach((item, i) => {
      if (v.slice(0, i).some((earlier) => isDeepStrictEqual(earlier, item)))
        errs.push(fieldErrors.duplicate(`${path}[${i}]`, item));
    });
  } else if (listType === "map") {
    const keys = s["x-kubernetes-list-map-keys"] ?? [];
    const keyOf = (item: unknown) =>
      Object.fromEntries(keys.map((k) => [k, isObject(item) ? item[k] : undefined]));
    v.forEach((item, i) => {
      const key = keyOf(item);
      if (v.slice(0, i).some((earlier) => isDeepStrictEqual(keyOf(earlier), key)))
        errs.push(fieldErrors.duplicate(`${path}[${i}]`, key));
    });
  }
  if (s.items)
    for (const [i, item] of v.entries()) errs.push(...validateValue(item, s.items, `${path}[${i}]`));
  return errs;
}

function validateObject(v: Obj, s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const name of s.required ?? [])
    if (!(name in v) || v[name] === undefined) errs.push(fieldErrors.required(child(path, name), ""));
  const count = Object.keys(v).length;
  if (s.maxProperties !== undefined && count > s.maxProperties)
    errs.push({
      ...tooMany(path, count, s.maxProperties),
      detail: `must have at most ${s.maxProperties} items`,
    });
  if (s.minProperties !== undefined && count < s.minProperties)
    errs.push(
      fieldErrors.invalid(
        at(path),
        count,
        `${path} in body should have at least ${s.minProperties} properties`,
      ),
    );
  if (s["x-kubernetes-embedded-resource"]) {
    for (const field of ["apiVersion", "kind"])
      if (typeof v[field] !== "string" || !v[field])
        errs.push(fieldErrors.required(child(path, field), "must not be empty"));
  }
  for (const [key, value] of Object.entries(v)) {
    const prop =
      s.properties?.[key] ?? (isObject(s.additionalProperties) ? s.additionalProperties : undefined);
    if (prop)
      errs.push(
        ...validateValue(
          value,
          prop,
          isObject(s.additionalProperties) && !s.properties?.[key] ? `${path}[${key}]` : child(path, key),
        ),
      );
  }
  return errs;
}

/** allOf, anyOf, oneOf and not: the value against each sub-schema, as the OpenAPI validator words them. */
function validateCombinations(v: unknown, s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const passes = (sub: JSONSchemaProps) => validateValue(v, sub, path).length === 0;
  for (const sub of s.allOf ?? []) errs.push(...validateValue(v, sub, path));
  if (s.anyOf && !s.anyOf.some(passes))
    errs.push(fieldErrors.invalid(at(path), v, `${path} in body must validate at least one schema (anyOf)`));
  if (s.oneOf && s.oneOf.filter(passes).length !== 1)
    errs.push(
      fieldErrors.invalid(at(path), v, `${path} in body must validate one and only one schema (oneOf)`),
    );
  if (s.not && passes(s.not))
    errs.push(fieldErrors.invalid(at(path), v, `${path} in body must not validate the schema (not)`));
  return errs;
}

/** The OpenAPI validation errors of a value against its schema, kube-apiserver's messages and paths. */
export function validateValue(v: unknown, s: JSONSchemaProps, path: string): FieldError[] {
  const errs = validateShape(v, s, path);
  return errs.length || v === null || v === undefined ? errs : validateCombinations(v, s, path);
}

function validateShape(v: unknown, s: JSONSchemaProps, path: string): FieldError[] {
  if (v === null || v === undefined) {
    if (s.nullable || (!s.type && !s["x-kubernetes-int-or-string"])) return [];
    return [
      fieldErrors.invalid(
        at(path),
        null,
        `${path} in body must be of type ${s.type ?? "integer,string"}: "null"`,
      ),
    ];
  }
  if (s["x-kubernetes-int-or-string"]) {
    if (typeOf(v) !== "integer" && typeof v !== "string")
      return [
        fieldErrors.invalid(
          at(path),
          typeOf(v),
          `${path} in body must be of type integer,string: "${typeOf(v)}"`,
        ),
      ];
  } else if (s.type && !typeMatches(s.type, v)) {
    return [
      fieldErrors.invalid(at(path), typeOf(v), `${path} in body must be of type ${s.type}: "${typeOf(v)}"`),
    ];
  }
  if (s.enum && !s.enum.some((e) => isDeepStrictEqual(e, v)))
    return [
      fieldErrors.notSupported(
        at(path),
        v,
        s.enum.map((e) => (typeof e === "string" ? e : JSON.stringify(e))),
      ),
    ];
  if (typeof v === "number") return validateNumber(v, s, path);
  if (typeof v === "string") return validateString(v, s, path);
  if (Array.isArray(v)) return validateArray(v, s, path);
  if (isObject(v)) return validateObject(v, s, path);
  return [];
}
