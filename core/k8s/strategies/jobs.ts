import { enforcePodSecurity } from "../pod-security";
import type { Pod } from "../types";
import { type FieldError, fieldErrors, invalidError } from "../validation/field-errors";
import { validateObjectMeta } from "../validation/meta";
import { defaultJob } from "../workloads/defaults";
import type { Job } from "../workloads/types";
import { validateWorkload } from "../workloads/validation";
import { asNewWorkload } from "./generic";
import type { Strategy } from "./strategy";
import { workloadStrategy } from "./workloads";

function validate(job: Job): void {
  const errors: FieldError[] = [...validateObjectMeta(job, true), ...validateWorkload(job.spec)];
  const policy = job.spec.template?.spec?.restartPolicy;
  if (policy !== "Never" && policy !== "OnFailure") {
    errors.push(fieldErrors.notSupported("spec.template.spec.restartPolicy", policy, ["OnFailure", "Never"]));
  }
  for (const field of ["parallelism", "completions", "backoffLimit"] as const) {
    const v = job.spec[field];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      errors.push(fieldErrors.invalid(`spec.${field}`, v, "must be greater than or equal to 0"));
    }
  }
  const mode = job.spec.completionMode;
  if (mode !== "NonIndexed" && mode !== "Indexed")
    errors.push(fieldErrors.notSupported("spec.completionMode", mode, ["NonIndexed", "Indexed"]));
  if (mode === "Indexed" && job.spec.completions === undefined)
    errors.push(fieldErrors.required("spec.completions", "when completion mode is Indexed"));
  if (job.spec.podFailurePolicy) errors.push(...validatePodFailurePolicy(job, policy));
  if (errors.length) throw invalidError("Job", job.metadata.name ?? "", errors, "batch");
  enforcePodSecurity({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: job.metadata.name ?? "" },
    spec: job.spec.template.spec,
  } as Pod);
}

const ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"];

function validatePodFailurePolicy(job: Job, restartPolicy: unknown): FieldError[] {
  const errors: FieldError[] = [];
  if (restartPolicy !== "Never")
    errors.push(
      fieldErrors.invalid(
        "spec.template.spec.restartPolicy",
        restartPolicy,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  (job.spec.podFailurePolicy?.rules ?? []).forEach((rule, i) => {
    const path = `spec.podFailurePolicy.rules[${i}]`;
    if (!ACTIONS.includes(rule.action))
      errors.push(fieldErrors.notSupported(`${path}.action`, rule.action, ACTIONS));
    if (!rule.onExitCodes === !rule.onPodConditions)
      errors.push(
        fieldErrors.required(path, "specifying one of OnExitCodes and OnPodConditions is required"),
      );
    const codes = rule.onExitCodes;
    if (!codes) return;
    if (codes.operator !== "In" && codes.operator !== "NotIn")
      errors.push(fieldErrors.notSupported(`${path}.onExitCodes.operator`, codes.operator, ["In", "NotIn"]));
    if (!codes.values?.length)
      errors.push(fieldErrors.required(`${path}.onExitCodes.values`, "at least one value is required"));
    else if (codes.operator === "In" && codes.values.includes(0))
      errors.push(fieldErrors.invalid(`${path}.onExitCodes.values`, 0, "must not be 0 for the In operator"));
  });
  return errors;
}

/** Jobs: defaulted and validated like kube-apiserver; the template is immutable once created. */
export const jobStrategy: Strategy = {
  ...workloadStrategy,
  create(obj) {
    const job = defaultJob(structuredClone(obj) as Job);
    validate(job);
    return asNewWorkload(job);
  },
  update(next, current) {
    const job = structuredClone(next) as Job;
    const before = current as Job;
    job.status = before.status;
    job.spec.selector = before.spec.selector;
    if (JSON.stringify(job.spec.template) !== JSON.stringify(before.spec.template)) {
      throw invalidError(
        "Job",
        job.metadata.name ?? "",
        [{ type: "FieldValueInvalid", field: "spec.template", value: "", detail: "field is immutable" }],
        "batch",
      );
    }
    validate(job);
    return job;
  },
};
