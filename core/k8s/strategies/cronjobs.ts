import { defaultPod } from "../defaults/pod";
import { enforcePodSecurity } from "../pod-security";
import type { KubeObject, Pod } from "../types";
import { type FieldError, fieldErrors, invalidError } from "../validation/field-errors";
import { validateObjectMeta } from "../validation/meta";
import { validatePodSpec } from "../validation/pod";
import { scheduleError } from "../workloads/schedule";
import type { CronJob } from "../workloads/types";
import { asNewWorkload, bumpGeneration } from "./generic";
import type { Strategy } from "./strategy";
import { workloadStrategy } from "./workloads";

function defaults(obj: KubeObject): CronJob {
  const cj = obj as CronJob;
  const spec = cj.spec;
  spec.concurrencyPolicy ??= "Allow";
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const template = spec.jobTemplate?.spec?.template;
  if (template?.spec) {
    template.spec = defaultPod({ apiVersion: "v1", kind: "Pod", metadata: {}, spec: template.spec }).spec;
  }
  return cj;
}

function validate(cj: CronJob): void {
  const errors: FieldError[] = validateObjectMeta(cj, true);
  const spec = cj.spec ?? ({} as CronJob["spec"]);
  if (!spec.schedule) errors.push(fieldErrors.required("spec.schedule"));
  else {
    const problem = scheduleError(spec.schedule, spec.timeZone);
    if (problem) errors.push(fieldErrors.invalid("spec.schedule", spec.schedule, problem));
  }
  if (spec.concurrencyPolicy && !["Allow", "Forbid", "Replace"].includes(spec.concurrencyPolicy)) {
    errors.push(
      fieldErrors.notSupported("spec.concurrencyPolicy", spec.concurrencyPolicy, [
        "Allow",
        "Forbid",
        "Replace",
      ]),
    );
  }
  const podSpec = spec.jobTemplate?.spec?.template?.spec;
  if (!podSpec) errors.push(fieldErrors.required("spec.jobTemplate.spec.template.spec"));
  else {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: {}, spec: podSpec } as Pod;
    for (const e of validatePodSpec(pod)) {
      errors.push({ ...e, field: e.field.replace(/^spec\./, "spec.jobTemplate.spec.template.spec.") });
    }
    if (podSpec.restartPolicy !== "Never" && podSpec.restartPolicy !== "OnFailure") {
      errors.push(
        fieldErrors.notSupported("spec.jobTemplate.spec.template.spec.restartPolicy", podSpec.restartPolicy, [
          "OnFailure",
          "Never",
        ]),
      );
    }
  }
  if (errors.length) throw invalidError("CronJob", cj.metadata.name ?? "", errors, "batch");
  if (podSpec)
    enforcePodSecurity({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: cj.metadata.name ?? "" },
      spec: podSpec,
    });
}

/** CronJobs: defaulted and validated (the schedule must parse); status belongs to the controller. */
export const cronJobStrategy: Strategy = {
  ...workloadStrategy,
  create(obj) {
    const cj = defaults(structuredClone(obj));
    validate(cj);
    return asNewWorkload(cj);
  },
  update(next, current) {
    const cj = defaults(structuredClone(next));
    cj.status = current.status as CronJob["status"];
    bumpGeneration(cj, current);
    validate(cj);
    return cj;
  },
};
