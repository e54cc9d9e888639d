import { isDeepStrictEqual } from "node:util";
import { RESOURCE_TYPES } from "../resources";
import type { Strategy } from "../strategies/strategy";
import { rfc3339 } from "../time";
import { type FieldError, fieldErrors, invalidError } from "../validation/field-errors";
import { validateObjectMeta } from "../validation/meta";
import { dns1035Label, dns1123Label, dns1123Subdomain } from "../validation/names";
import { ruleErrors } from "./cel";
import { compilePattern } from "./regex";
import { validateValue } from "./structural";
import {
  CRD_CLEANUP_FINALIZER,
  type CrdCondition,
  type CrdNames,
  type CustomResourceDefinition,
  type JSONSchemaProps,
} from "./types";

const BUILT_IN_GROUPS = new Set(RESOURCE_TYPES.map((t) => t.group));
const COLUMN_TYPES = ["integer", "number", "string", "boolean", "date"];
const APPROVAL = "api-approved.kubernetes.io";

/** A structural schema's shape problems: every node typed (but the root's fields may say less), maps keyed. */
function schemaErrors(s: JSONSchemaProps, path: string, where: "root" | "field" | "item"): FieldError[] {
  const errs: FieldError[] = [];
  const untyped = !s.type && !s["x-kubernetes-int-or-string"] && !s["x-kubernetes-preserve-unknown-fields"];
  if (where === "root" && !s.type)
    errs.push(fieldErrors.required(`${path}.type`, "must not be empty at the root"));
  else if (where === "root" && s.type !== "object")
    errs.push(fieldErrors.invalid(`${path}.type`, s.type, "must be object at the root"));
  else if (untyped && where !== "root")
    errs.push(
      fieldErrors.required(
        `${path}.type`,
        where === "field"
          ? "must not be empty for specified object fields"
          : "must not be empty for specified array items",
      ),
    );
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false)
    errs.push(
      fieldErrors.forbidden(
        `${path}.additionalProperties`,
        "additionalProperties and properties are mutual exclusive",
      ),
    );
  if (s["x-kubernetes-int-or-string"] && s.type)
    errs.push(
      fieldErrors.invalid(`${path}.type`, s.type, "must be empty if x-kubernetes-int-or-string is true"),
    );
  if (s.type === "array" && !s.items && !s["x-kubernetes-preserve-unknown-fields"])
    errs.push(fieldErrors.required(`${path}.items`, "must be specified"));
  if (s["x-kubernetes-list-type"] === "map" && !s["x-kubernetes-list-map-keys"]?.length)
    errs.push(
      fieldErrors.required(
        `${path}.x-kubernetes-list-map-keys`,
        "must not be empty if x-kubernetes-list-type is map",
      ),
    );
  const listType = s["x-kubernetes-list-type"];
  if (listType && !["atomic", "set", "map"].includes(listType))
    errs.push(fieldErrors.notSupported(`${path}.x-kubernetes-list-type`, listType, ["atomic", "set", "map"]));
  if (s.pattern !== undefined) {
    const re = compilePattern(s.pattern);
    if (typeof re === "string")
      errs.push(
        fieldErrors.invalid(
          `${path}.pattern`,
          s.pattern,
          `must be a valid regular expression, but isn't: ${re}`,
        ),
      );
  }
  if (s.default !== undefined) errs.push(...validateValue(s.default, s, `${path}.default`));
  for (const [k, p] of Object.entries(s.properties ?? {}))
    errs.push(...schemaErrors(p, `${path}.properties[${k}]`, "field"));
  if (s.items) errs.push(...schemaErrors(s.items, `${path}.items`, "item"));
  if (typeof s.additionalProperties === "object")
    errs.push(...schemaErrors(s.additionalProperties, `${path}.additionalProperties`, "field"));
  return errs;
}

function namesErrors(names: CrdNames | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (!names?.plural) errs.push(fieldErrors.required("spec.names.plural", ""));
  else
    for (const m of dns1035Label(names.plural))
      errs.push(fieldErrors.invalid("spec.names.plural", names.plural, m));
  if (names?.singular)
    for (const m of dns1035Label(names.singular))
      errs.push(fieldErrors.invalid("spec.names.singular", names.singular, m));
  if (!names?.kind) errs.push(fieldErrors.required("spec.names.kind", ""));
  else if (!/^[A-Za-z][A-Za-z0-9]*$/.test(names.kind))
    errs.push(
      fieldErrors.invalid(
        "spec.names.kind",
        names.kind,
        "may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?",
      ),
    );
  if (!names?.listKind) errs.push(fieldErrors.required("spec.names.listKind", ""));
  for (const [i, short] of (names?.shortNames ?? []).entries())
    for (const m of dns1123Label(short))
      errs.push(fieldErrors.invalid(`spec.names.shortNames[${i}]`, short, m));
  for (const [i, category] of (names?.categories ?? []).entries())
    for (const m of dns1123Label(category))
      errs.push(fieldErrors.invalid(`spec.names.categories[${i}]`, category, m));
  return errs;
}

function versionErrors(crd: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const versions = crd.spec.versions ?? [];
  if (versions.length === 0)
    errs.push(
      fieldErrors.required("spec.versions", "must have exactly one version marked as storage version"),
    );
  else if (versions.filter((v) => v.storage).length !== 1)
    errs.push(
      fieldErrors.invalid(
        "spec.versions",
        versions.map((v) => v.name),
        "must have exactly one version marked as storage version",
      ),
    );
  if (versions.length && !versions.some((v) => v.served))
    errs.push(
      fieldErrors.invalid(
        "spec.versions",
        versions.map((v) => v.name),
        "must have at least one version marked as served",
      ),
    );
  for (const [i, v] of versions.entries()) {
    const at = `spec.versions[${i}]`;
    if (!v.name) errs.push(fieldErrors.required(`${at}.name`, ""));
    else for (const m of dns1035Label(v.name)) errs.push(fieldErrors.invalid(`${at}.name`, v.name, m));
    if (versions.slice(0, i).some((o) => o.name === v.name))
      errs.push(fieldErrors.duplicate(`${at}.name`, v.name));
    const schema = v.schema?.openAPIV3Schema;
    const schemaAt = `${at}.schema.openAPIV3Schema`;
    if (!schema) errs.push(fieldErrors.required(schemaAt, "schemas are required"));
    else errs.push(...schemaErrors(schema, schemaAt, "root"), ...ruleErrors(schema, schemaAt));
    const scale = v.subresources?.scale;
    if (scale) {
      const sub = `${at}.subresources.scale`;
      if (!scale.specReplicasPath?.startsWith(".spec."))
        errs.push(
          fieldErrors.invalid(
            `${sub}.specReplicasPath`,
            scale.specReplicasPath ?? "",
            "should be a json path under .spec",
          ),
        );
      if (!scale.statusReplicasPath?.startsWith(".status."))
        errs.push(
          fieldErrors.invalid(
            `${sub}.statusReplicasPath`,
            scale.statusReplicasPath ?? "",
            "should be a json path under .status",
          ),
        );
      if (scale.labelSelectorPath && !/^\.(spec|status)\./.test(scale.labelSelectorPath))
        errs.push(
          fieldErrors.invalid(
            `${sub}.labelSelectorPath`,
            scale.labelSelectorPath,
            "should be a json path under either .spec or .status",
          ),
        );
    }
    for (const [j, col] of (v.additionalPrinterColumns ?? []).entries()) {
      const cat = `${at}.additionalPrinterColumns[${j}]`;
      if (!col.name) errs.push(fieldErrors.required(`${cat}.name`, ""));
      if (!COLUMN_TYPES.includes(col.type))
        errs.push(fieldErrors.notSupported(`${cat}.type`, col.type, COLUMN_TYPES));
      if (!col.jsonPath) errs.push(fieldErrors.required(`${cat}.jsonPath`, ""));
    }
  }
  return errs;
}

/** A CustomResourceDefinition's own validation, kube-apiserver's messages. */
export function validateCrd(crd: CustomResourceDefinition): FieldError[] {
  const errs = validateObjectMeta(crd, false);
  const spec = crd.spec ?? ({} as CustomResourceDefinition["spec"]);
  const { group, names, scope } = spec;
  if (!group) errs.push(fieldErrors.required("spec.group", ""));
  else {
    for (const m of dns1123Subdomain(group)) errs.push(fieldErrors.invalid("spec.group", group, m));
    if (!group.includes("."))
      errs.push(fieldErrors.invalid("spec.group", group, "should be a domain with at least one dot"));
    if (BUILT_IN_GROUPS.has(group))
      errs.push(fieldErrors.invalid("spec.group", group, "is served by the cluster's built-in API"));
    const protectedGroup = /(^|\.)(k8s\.io|kubernetes\.io)$/.test(group);
    if (protectedGroup && !crd.metadata.annotations?.[APPROVAL])
      errs.push(
        fieldErrors.required(
          `metadata.annotations[${APPROVAL}]`,
          `protected groups must have approval annotation "${APPROVAL}", see https://github.com/kubernetes/enhancements/pull/1111`,
        ),
      );
  }
  if (names?.plural && group && crd.metadata.name !== `${names.plural}.${group}`)
    errs.push(
      fieldErrors.invalid(
        "metadata.name",
        crd.metadata.name ?? "",
        'must be spec.names.plural+"."+spec.group',
      ),
    );
  if (!scope) errs.push(fieldErrors.required("spec.scope", ""));
  else if (scope !== "Cluster" && scope !== "Namespaced")
    errs.push(fieldErrors.notSupported("spec.scope", scope, ["Cluster", "Namespaced"]));
  errs.push(...namesErrors(names));
  const strategy = spec.conversion?.strategy ?? "None";
  if (strategy !== "None")
    errs.push(fieldErrors.notSupported("spec.conversion.strategy", strategy, ["None"]));
  if (spec.preserveUnknownFields)
    errs.push(
      fieldErrors.invalid(
        "spec.preserveUnknownFields",
        true,
        "must be false in order to use defaults in the schema",
      ),
    );
  errs.push(...versionErrors(crd));
  return errs;
}

function withDefaults(crd: CustomResourceDefinition): CustomResourceDefinition {
  const out = structuredClone(crd);
  const names = out.spec?.names;
  if (names?.kind) {
    names.singular ||= names.kind.toLowerCase();
    names.listKind ||= `${names.kind}List`;
  }
  if (out.spec) out.spec.conversion = { strategy: "None", ...out.spec.conversion };
  for (const v of out.spec?.versions ?? []) {
    v.served ??= false;
    v.storage ??= false;
  }
  return out;
}

function condition(
  type: string,
  reason: string,
  message: string,
  previous: CrdCondition[],
  now: Date,
): CrdCondition {
  const before = previous.find((c) => c.type === type);
  const lastTransitionTime =
    before?.status === "True" && before.lastTransitionTime ? before.lastTransitionTime : rfc3339(now);
  return { type, status: "True", lastTransitionTime, reason, message };
}

/**
 * The status kube-apiserver's naming and establishing controllers reach: names accepted (no two CRDs of a
 * group share a plural, since it is the CRD's name), established at once, every storage version recorded.
 */
function statusOf(crd: CustomResourceDefinition, now: Date): CustomResourceDefinition["status"] {
  const previous = crd.status?.conditions ?? [];
  const storage = crd.spec.versions.find((v) => v.storage)?.name;
  const stored = crd.status?.storedVersions ?? [];
  const terminating = previous.filter((c) => c.type === "Terminating");
  return {
    conditions: [
      condition("NamesAccepted", "NoConflicts", "no conflicts found", previous, now),
      condition("Established", "InitialNamesAccepted", "the initial names have been accepted", previous, now),
      ...terminating,
    ],
    acceptedNames: { ...crd.spec.names },
    storedVersions: storage && !stored.includes(storage) ? [...stored, storage] : stored,
  };
}

function raise(crd: CustomResourceDefinition, errors: FieldError[]): void {
  if (errors.length)
    throw invalidError("CustomResourceDefinition", crd.metadata.name ?? "", errors, "apiextensions.k8s.io");
}

const immutable = (field: string, next: unknown, current: unknown): FieldError[] =>
  isDeepStrictEqual(next, current) ? [] : [fieldErrors.invalid(field, next, "field is immutable")];

/** CustomResourceDefinitions: validated, established at once, and kept until their objects are gone. */
export const crdStrategy: Strategy = {
  create(obj, ctx) {
    const crd = withDefaults(obj as CustomResourceDefinition);
    delete crd.metadata.deletionTimestamp;
    crd.metadata.generation = 1;
    raise(crd, validateCrd(crd));
    if (!crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER))
      crd.metadata.finalizers = [...(crd.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER];
    crd.status = statusOf({ ...crd, status: {} }, ctx.now);
    return crd;
  },
  update(next, current, ctx) {
    const crd = withDefaults(next as CustomResourceDefinition);
    const old = current as CustomResourceDefinition;
    const errors = validateCrd(crd);
    errors.push(
      ...immutable("spec.scope", crd.spec?.scope, old.spec.scope),
      ...immutable("spec.group", crd.spec?.group, old.spec.group),
    );
    for (const [i, stored] of (old.status?.storedVersions ?? []).entries())
      if (!crd.spec?.versions?.some((v) => v.name === stored))
        errors.push(
          fieldErrors.invalid(`status.storedVersions[${i}]`, stored, "must appear in spec.versions"),
        );
    raise(crd, errors);
    crd.status = statusOf({ ...crd, status: old.status ?? {} }, ctx.now);
    const generation = old.metadata.generation ?? 1;
    crd.metadata.generation = isDeepStrictEqual(crd.spec, old.spec) ? generation : generation + 1;
    return crd;
  },
  updateStatus(next, current) {
    return { ...current, status: next.status };
  },
};
