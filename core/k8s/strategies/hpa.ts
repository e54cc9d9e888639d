import type { HorizontalPodAutoscaler } from "../autoscaling/types";
import { type FieldError, fieldErrors, invalidError } from "../validation/field-errors";
import { asNewWorkload, bumpGeneration, genericStrategy } from "./generic";
import type { Strategy } from "./strategy";
import { validateCreate, validateUpdate } from "./validate";

/** kube-apiserver's defaults of an autoscaling/v2 HPA: one replica at least, 80% CPU when no metric is given. */
function defaults(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscaler {
  hpa.spec ??= {} as HorizontalPodAutoscaler["spec"];
  hpa.spec.minReplicas ??= 1;
  if (!hpa.spec.metrics?.length)
    hpa.spec.metrics = [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
      },
    ];
  return hpa;
}

function validate(hpa: HorizontalPodAutoscaler): void {
  const errors: FieldError[] = [];
  const { scaleTargetRef: target, minReplicas = 1, maxReplicas } = hpa.spec;
  if (!target?.kind) errors.push(fieldErrors.required("spec.scaleTargetRef.kind"));
  if (!target?.name) errors.push(fieldErrors.required("spec.scaleTargetRef.name"));
  if (!Number.isInteger(maxReplicas) || maxReplicas < 1)
    errors.push(fieldErrors.invalid("spec.maxReplicas", maxReplicas, "must be greater than 0"));
  if (!Number.isInteger(minReplicas) || minReplicas < 1)
    errors.push(fieldErrors.invalid("spec.minReplicas", minReplicas, "must be greater than or equal to 1"));
  else if (minReplicas > maxReplicas)
    errors.push(
      fieldErrors.invalid("spec.minReplicas", minReplicas, "must be less than or equal to maxReplicas"),
    );
  if (errors.length)
    throw invalidError("HorizontalPodAutoscaler", hpa.metadata.name ?? "", errors, "autoscaling");
}

/** HorizontalPodAutoscalers, stored as autoscaling/v2; their status belongs to the autoscaler. */
export const hpaStrategy: Strategy = {
  create(obj, ctx) {
    const hpa = defaults(structuredClone(obj) as HorizontalPodAutoscaler);
    validateCreate(hpa, ctx.type);
    validate(hpa);
    return asNewWorkload(hpa);
  },
  update(next, current, ctx) {
    const hpa = defaults(structuredClone(next) as HorizontalPodAutoscaler);
    hpa.status = (current as HorizontalPodAutoscaler).status;
    bumpGeneration(hpa, current);
    validateUpdate(hpa, current, ctx.type);
    validate(hpa);
    return hpa;
  },
  updateStatus: genericStrategy.updateStatus,
};
