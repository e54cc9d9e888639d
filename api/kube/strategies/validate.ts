import { KubeError, statusFailure } from "../../../core/k8s/errors";
import type { KubeObject } from "../../../core/k8s/types";

// Interim: replaced by core/k8s/validation and core/k8s/defaults.
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function invalid(obj: KubeObject, field: string, reason: string, message: string): KubeError {
  return new KubeError(
    statusFailure(
      422,
      "Invalid",
      `${obj.kind} "${obj.metadata.name ?? ""}" is invalid: ${field}: ${message}`,
      {
        name: obj.metadata.name ?? "",
        kind: obj.kind,
        causes: [{ reason, message, field }],
      },
    ),
  );
}

export function validateCreate(obj: KubeObject): void {
  const name = obj.metadata.name;
  if (!name)
    throw invalid(
      obj,
      "metadata.name",
      "FieldValueRequired",
      "Required value: name or generateName is required",
    );
  if (!SUBDOMAIN.test(name) || name.length > 253) {
    throw invalid(
      obj,
      "metadata.name",
      "FieldValueInvalid",
      `Invalid value: "${name}": a lowercase RFC 1123 subdomain`,
    );
  }
  if (obj.kind === "Pod") {
    const containers = (obj.spec as { containers?: { image?: string }[] } | undefined)?.containers ?? [];
    if (containers.length === 0)
      throw invalid(obj, "spec.containers", "FieldValueRequired", "Required value");
    containers.forEach((c, i) => {
      if (!c.image) throw invalid(obj, `spec.containers[${i}].image`, "FieldValueRequired", "Required value");
    });
  }
}

export function validateUpdate(_next: KubeObject, _current: KubeObject): void {}

export function defaultPod(obj: KubeObject): KubeObject {
  return obj;
}

export function defaultNamespace(obj: KubeObject): KubeObject {
  return obj;
}
