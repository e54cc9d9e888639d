import { fromStructured, matchesLabels, type StructuredLabelSelector } from "../selectors";
import type { Pod } from "../types";
import { type FieldError, fieldErrors } from "../validation/field-errors";
import { validatePodSpec } from "../validation/pod";
import type { PodTemplate } from "./types";

/** ReplicaSets and Deployments: a selector, a template it selects, a valid pod spec, replicas ≥ 0. */
export function validateWorkload(spec: {
  replicas?: number;
  selector?: StructuredLabelSelector;
  template?: PodTemplate;
}): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) {
    errs.push(fieldErrors.invalid("spec.replicas", spec.replicas, "must be greater than or equal to 0"));
  }
  const selector = spec.selector;
  if (
    !selector ||
    (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length)
  ) {
    errs.push(fieldErrors.required("spec.selector"));
  }
  if (!spec.template) {
    errs.push(fieldErrors.required("spec.template"));
    return errs;
  }
  const labels = spec.template.metadata?.labels ?? {};
  if (selector && !matchesLabels(fromStructured(selector), labels)) {
    errs.push(
      fieldErrors.invalid(
        "spec.template.metadata.labels",
        labels,
        "`selector` does not match template `labels`",
      ),
    );
  }
  const pod = { apiVersion: "v1", kind: "Pod", metadata: {}, spec: spec.template.spec } as Pod;
  for (const e of validatePodSpec(pod))
    errs.push({ ...e, field: e.field.replace(/^spec\./, "spec.template.spec.") });
  return errs;
}
