import { isDeepStrictEqual } from "node:util";
import { kubeErrors } from "../errors";
import type { ResourceType } from "../resources";
import type { Strategy } from "../strategies/strategy";
import type { KubeObject } from "../types";
import { invalidError } from "../validation/field-errors";
import { validateObjectMeta } from "../validation/meta";
import { celErrors } from "./cel";
import { applyDefaults, prune, validateValue } from "./structural";

/** `Kind.group`, the way kube-apiserver names a custom kind in its errors. */
export const qualifiedKind = (type: ResourceType) => `${type.kind}.${type.group}`;

/** The object pruned and defaulted by its version's schema, then checked: metadata, OpenAPI, then CEL. */
function admit(obj: KubeObject, old: KubeObject | undefined, type: ResourceType): KubeObject {
  const schema = type.custom?.schema;
  prune(obj, schema, "", true);
  applyDefaults(obj, schema);
  const errors = validateObjectMeta(obj, type.namespaced);
  if (schema) {
    const { apiVersion, kind, metadata, ...fields } = obj;
    const body = { ...schema, properties: { ...schema.properties } };
    for (const f of ["apiVersion", "kind", "metadata"]) delete body.properties[f];
    errors.push(
      ...validateValue(
        fields,
        { ...body, required: (schema.required ?? []).filter((r) => r !== "metadata") },
        "",
      ),
    );
    if (errors.length === 0) errors.push(...celErrors(obj, old, schema));
  }
  if (errors.length) throw invalidError(qualifiedKind(type), obj.metadata.name ?? "", errors, type.group);
  return obj;
}

/** What a write of the main resource may change: all but status when the status subresource is on. */
function specOf(obj: KubeObject, type: ResourceType): unknown {
  const { metadata, status, ...rest } = obj;
  return type.custom?.status ? rest : { ...rest, status };
}

/** Objects of a CustomResourceDefinition: pruned, defaulted and validated by their version's schema. */
export const customResourceStrategy: Strategy = {
  create(obj, ctx) {
    if (ctx.type.custom?.terminating)
      throw kubeErrors.methodNotAllowed(`create not allowed while custom resource definition is terminating`);
    const out = structuredClone(obj);
    delete out.metadata.deletionTimestamp;
    out.metadata.generation = 1;
    if (ctx.type.custom?.status) delete out.status;
    return admit(out, undefined, ctx.type);
  },
  update(next, current, ctx) {
    const out = structuredClone(next);
    if (ctx.type.custom?.status) {
      if (current.status === undefined) delete out.status;
      else out.status = structuredClone(current.status);
    }
    const admitted = admit(out, current, ctx.type);
    const generation = current.metadata.generation ?? 1;
    admitted.metadata.generation = isDeepStrictEqual(specOf(admitted, ctx.type), specOf(current, ctx.type))
      ? generation
      : generation + 1;
    return admitted;
  },
  updateStatus(next, current, ctx) {
    const out: KubeObject = { ...structuredClone(current), status: structuredClone(next.status) };
    if (next.status === undefined) delete out.status;
    return admit(out, current, ctx.type);
  },
};
