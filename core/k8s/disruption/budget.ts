import { resolveIntOrPercent } from "../int-or-percent";
import { fromStructured, matchesLabels, type StructuredLabelSelector } from "../selectors";
import type { KubeObject, Pod } from "../types";
import { type FieldError, fieldErrors } from "../validation/field-errors";

/** policy/v1 PodDisruptionBudget: how many of the selected pods voluntary disruptions must leave running. */
export interface PodDisruptionBudget extends KubeObject {
  spec: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: StructuredLabelSelector;
  };
  status?: {
    observedGeneration?: number;
    disruptionsAllowed: number;
    currentHealthy: number;
    desiredHealthy: number;
    expectedPods: number;
    conditions?: {
      type: string;
      status: string;
      reason: string;
      message: string;
      observedGeneration?: number;
      lastTransitionTime: string;
    }[];
  };
}

/** The pods a budget covers: matched by its selector in its namespace (an empty one selects them all). */
export function coveredBy(budget: PodDisruptionBudget, pod: Pod): boolean {
  return (
    pod.metadata.namespace === budget.metadata.namespace &&
    matchesLabels(fromStructured(budget.spec.selector ?? {}), pod.metadata.labels)
  );
}

const isHealthy = (pod: Pod) =>
  !pod.metadata.deletionTimestamp &&
  !!pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");

/**
 * The budget's status for the pods of its namespace, as kube-controller-manager's disruption controller
 * computes it: expected and healthy pods, the healthy count the budget wants, and how many may go. Pure.
 */
export function budgetStatus(
  budget: PodDisruptionBudget,
  pods: Pod[],
  now: string,
): NonNullable<PodDisruptionBudget["status"]> {
  const covered = pods.filter(
    (p) => coveredBy(budget, p) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed",
  );
  const expectedPods = covered.length;
  const currentHealthy = covered.filter(isHealthy).length;
  const { minAvailable, maxUnavailable } = budget.spec;
  const desiredHealthy =
    minAvailable !== undefined
      ? resolveIntOrPercent(minAvailable, expectedPods, true)
      : Math.max(0, expectedPods - resolveIntOrPercent(maxUnavailable, expectedPods, true));
  const disruptionsAllowed = Math.max(0, currentHealthy - desiredHealthy);
  const allowed = disruptionsAllowed > 0;
  const before = budget.status?.conditions?.find((c) => c.type === "DisruptionAllowed");
  const status = allowed ? "True" : "False";
  return {
    observedGeneration: budget.metadata.generation ?? 1,
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    conditions: [
      {
        type: "DisruptionAllowed",
        status,
        reason: allowed ? "SufficientPods" : "InsufficientPods",
        message: "",
        observedGeneration: budget.metadata.generation ?? 1,
        lastTransitionTime: before?.status === status ? before.lastTransitionTime : now,
      },
    ],
  };
}

function intOrPercent(field: string, value: number | string | undefined): FieldError[] {
  if (value === undefined) return [];
  if (typeof value === "number")
    return Number.isInteger(value) && value >= 0
      ? []
      : [fieldErrors.invalid(field, value, "must be greater than or equal to 0")];
  return /^[0-9]+%$/.test(value)
    ? []
    : [
        fieldErrors.invalid(
          field,
          value,
          "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        ),
      ];
}

/** kube-apiserver's checks of a budget's spec. */
export function validateBudget(budget: PodDisruptionBudget): FieldError[] {
  const { minAvailable, maxUnavailable } = budget.spec ?? {};
  const errs = [
    ...intOrPercent("spec.minAvailable", minAvailable),
    ...intOrPercent("spec.maxUnavailable", maxUnavailable),
  ];
  if (minAvailable !== undefined && maxUnavailable !== undefined)
    errs.push(fieldErrors.invalid("spec", budget.spec, "minAvailable and maxUnavailable cannot be both set"));
  return errs;
}
