import { cpuTarget, type HorizontalPodAutoscaler } from "../../core/k8s/autoscaling/types";

/** The CPU a ready pod uses and requests, in millicores. */
export interface PodCpu {
  usageMillis: number;
  requestMillis: number;
}

export interface HpaPlan {
  /** The target's new replica count, when it changes. */
  scaleTo?: number;
  reason?: string;
  status: NonNullable<HorizontalPodAutoscaler["status"]>;
}

const TOLERANCE = 0.1;
const DEFAULT_DOWN_WINDOW_SECONDS = 300;

type Condition = NonNullable<NonNullable<HorizontalPodAutoscaler["status"]>["conditions"]>[number];

function condition(
  previous: Condition[] | undefined,
  type: string,
  status: "True" | "False",
  reason: string,
  message: string,
  stamp: string,
): Condition {
  const before = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    lastTransitionTime: before?.status === status ? before.lastTransitionTime : stamp,
    reason,
    message,
  };
}

/**
 * The autoscaler's decision, as kube-controller-manager's for a CPU utilization target: desired =
 * ceil(current × usage/target) outside a 10% tolerance, clamped to [min, max]; scale up at most to
 * max(2×, +4) per step; scale down only once the stabilization window (300 s unless the behavior says
 * otherwise) has passed since the last scale. Pure.
 */
export function planHpa(
  hpa: HorizontalPodAutoscaler,
  currentReplicas: number,
  pods: PodCpu[],
  now: Date,
): HpaPlan {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const previous = hpa.status?.conditions;
  const min = hpa.spec.minReplicas ?? 1;
  const max = hpa.spec.maxReplicas;
  const target = cpuTarget(hpa);
  const base = {
    observedGeneration: hpa.metadata.generation ?? 1,
    ...(hpa.status?.lastScaleTime ? { lastScaleTime: hpa.status.lastScaleTime } : {}),
    currentReplicas,
  };
  const able = condition(
    previous,
    "AbleToScale",
    "True",
    "ReadyForNewScale",
    "recommended size matches current size",
    stamp,
  );
  const requested = pods.reduce((n, p) => n + p.requestMillis, 0);
  if (
    target === undefined ||
    pods.length === 0 ||
    requested === 0 ||
    pods.some((p) => p.requestMillis === 0)
  ) {
    const message =
      target === undefined
        ? "the HPA was unable to compute the replica count: only CPU utilization targets are supported"
        : pods.length === 0
          ? "the HPA was unable to compute the replica count: no metrics returned from resource metrics API"
          : "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu";
    return {
      status: {
        ...base,
        desiredReplicas: currentReplicas,
        conditions: [
          able,
          condition(previous, "ScalingActive", "False", "FailedGetResourceMetric", message, stamp),
        ],
      },
    };
  }
  const used = pods.reduce((n, p) => n + p.usageMillis, 0);
  const utilization = Math.round((used / requested) * 100);
  const ratio = utilization / target;
  let desired = Math.abs(ratio - 1) <= TOLERANCE ? currentReplicas : Math.ceil(ratio * pods.length);
  desired = Math.max(min, Math.min(max, desired));
  let limited: Condition | undefined;
  if (desired > currentReplicas)
    desired = Math.min(desired, Math.max(currentReplicas * 2, currentReplicas + 4));
  if (desired < currentReplicas) {
    const window = hpa.spec.behavior?.scaleDown?.stabilizationWindowSeconds ?? DEFAULT_DOWN_WINDOW_SECONDS;
    const last = Date.parse(hpa.status?.lastScaleTime ?? hpa.metadata.creationTimestamp ?? stamp);
    if (now.getTime() - last < window * 1000) desired = currentReplicas;
  }
  const unclamped = Math.ceil(ratio * pods.length);
  if (unclamped > max || unclamped < min)
    limited = condition(
      previous,
      "ScalingLimited",
      "True",
      unclamped > max ? "TooManyReplicas" : "TooFewReplicas",
      `the desired replica count is ${unclamped > max ? "more than the maximum" : "less than the minimum"} replica count`,
      stamp,
    );
  const scaled = desired !== currentReplicas;
  return {
    ...(scaled
      ? {
          scaleTo: desired,
          reason: `cpu resource utilization (percentage of request) ${desired > currentReplicas ? "above" : "below"} target`,
        }
      : {}),
    status: {
      ...base,
      ...(scaled ? { lastScaleTime: stamp } : {}),
      desiredReplicas: desired,
      currentMetrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            current: { averageUtilization: utilization, averageValue: `${Math.round(used / pods.length)}m` },
          },
        },
      ],
      conditions: [
        scaled
          ? condition(
              previous,
              "AbleToScale",
              "True",
              "SucceededRescale",
              `the HPA controller was able to update the target scale to ${desired}`,
              stamp,
            )
          : able,
        condition(
          previous,
          "ScalingActive",
          "True",
          "ValidMetricFound",
          "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)",
          stamp,
        ),
        limited ??
          condition(
            previous,
            "ScalingLimited",
            "False",
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
            stamp,
          ),
      ],
    },
  };
}
