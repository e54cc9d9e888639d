import { describe, expect, it } from "vitest";
import type { HorizontalPodAutoscaler } from "../../core/k8s/autoscaling/types";
import { planHpa } from "./hpa-plan";

const NOW = new Date("2026-01-01T00:10:00Z");

function hpa(
  extra: Partial<HorizontalPodAutoscaler["spec"]> = {},
  lastScaleTime?: string,
): HorizontalPodAutoscaler {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "web", generation: 1, creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } },
        },
      ],
      ...extra,
    },
    ...(lastScaleTime ? { status: { lastScaleTime } } : {}),
  };
}

const pods = (...usage: number[]) => usage.map((usageMillis) => ({ usageMillis, requestMillis: 100 }));

describe("planHpa", () => {
  it("scales up by usage over target, at most doubling (or +4) per step, within max", () => {
    const plan = planHpa(hpa(), 1, pods(100), NOW);
    expect(plan.scaleTo).toBe(2);
    expect(plan.status.currentMetrics?.[0]?.resource.current.averageUtilization).toBe(100);
    expect(planHpa(hpa(), 2, pods(100, 100), NOW).scaleTo).toBe(4);
    expect(planHpa(hpa(), 4, pods(100, 100, 100, 100), NOW).scaleTo).toBe(5);
    const limited = planHpa(hpa(), 5, pods(100, 100, 100, 100, 100), NOW);
    expect(limited.scaleTo).toBeUndefined();
    expect(limited.status.conditions?.find((c) => c.type === "ScalingLimited")).toMatchObject({
      status: "True",
      reason: "TooManyReplicas",
    });
  });

  it("stays within the 10% tolerance", () => {
    expect(planHpa(hpa(), 2, pods(52, 54), NOW).scaleTo).toBeUndefined();
  });

  it("scales down only after the stabilization window since the last scale", () => {
    expect(planHpa(hpa({}, "2026-01-01T00:09:00Z"), 4, pods(5, 5, 5, 5), NOW).scaleTo).toBeUndefined();
    expect(planHpa(hpa({}, "2026-01-01T00:04:00Z"), 4, pods(5, 5, 5, 5), NOW).scaleTo).toBe(1);
    const quick = hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } }, "2026-01-01T00:09:59Z");
    expect(planHpa(quick, 4, pods(5, 5, 5, 5), NOW).scaleTo).toBe(1);
  });

  it("says why it cannot compute a count", () => {
    const none = planHpa(hpa(), 1, [{ usageMillis: 10, requestMillis: 0 }], NOW);
    expect(none.scaleTo).toBeUndefined();
    expect(none.status.conditions?.find((c) => c.type === "ScalingActive")).toMatchObject({
      status: "False",
      reason: "FailedGetResourceMetric",
    });
  });
});
