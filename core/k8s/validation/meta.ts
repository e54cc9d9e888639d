import type { KubeObject } from "../types";
import { type FieldError, fieldErrors } from "./field-errors";
import { dns1035Label, dns1123Label, dns1123Subdomain, labelValue, qualifiedName } from "./names";

const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** How each kind's names are checked; other kinds take DNS subdomains, as in kube-apiserver. */
const NAME_CHECKS: Record<string, (name: string) => string[]> = {
  Namespace: dns1123Label,
  Service: dns1035Label,
};

/** metadata checks common to every kind: name, namespace, labels, annotations. */
export function validateObjectMeta(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const { name, namespace, labels, annotations } = obj.metadata;
  if (!name) errs.push(fieldErrors.required("metadata.name", "name or generateName is required"));
  else {
    const check = NAME_CHECKS[obj.kind] ?? dns1123Subdomain;
    for (const m of check(name)) errs.push(fieldErrors.invalid("metadata.name", name, m));
  }
  if (namespaced && namespace) {
    for (const m of dns1123Label(namespace))
      errs.push(fieldErrors.invalid("metadata.namespace", namespace, m));
  }
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const m of qualifiedName(key)) errs.push(fieldErrors.invalid("metadata.labels", key, m));
    if (typeof value !== "string")
      errs.push(fieldErrors.invalid(`metadata.labels`, value, "must be a string"));
    else for (const m of labelValue(value)) errs.push(fieldErrors.invalid("metadata.labels", value, m));
  }
  let size = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const m of qualifiedName(key.toLowerCase()))
      errs.push(fieldErrors.invalid("metadata.annotations", key, m));
    size += key.length + String(value).length;
  }
  if (size > ANNOTATIONS_MAX_BYTES) {
    errs.push({
      type: "FieldValueTooLong",
      field: "metadata.annotations",
      detail: `must have at most ${ANNOTATIONS_MAX_BYTES} bytes`,
    });
  }
  return errs;
}

/** kube-apiserver refuses new finalizers on an object being deleted. */
export function finalizerErrors(next: KubeObject, current: KubeObject): FieldError[] {
  if (!current.metadata.deletionTimestamp) return [];
  const added = (next.metadata.finalizers ?? []).filter((f) => !current.metadata.finalizers?.includes(f));
  if (added.length === 0) return [];
  return [
    fieldErrors.forbidden(
      "metadata.finalizers",
      `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(", ")}}`,
    ),
  ];
}
