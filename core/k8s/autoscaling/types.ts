import type { KubeObject, StatusCondition } from "../types";

export interface MetricTarget {
  type: "Utilization" | "AverageValue" | "Value";
  averageUtilization?: number;
  averageValue?: string;
  value?: string;
}

export interface MetricSpec {
  type: "Resource" | "Pods" | "Object" | "External" | "ContainerResource";
  resource?: { name: string; target: MetricTarget };
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: string;
  policies?: { type: "Pods" | "Percent"; value: number; periodSeconds: number }[];
}

export interface HorizontalPodAutoscaler extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: MetricSpec[];
    behavior?: { scaleUp?: ScalingRules; scaleDown?: ScalingRules };
  };
  status?: {
    observedGeneration?: number;
    lastScaleTime?: string;
    currentReplicas?: number;
    desiredReplicas?: number;
    currentMetrics?: {
      type: "Resource";
      resource: { name: string; current: { averageUtilization?: number; averageValue?: string } };
    }[];
    conditions?: StatusCondition[];
  };
}

/** The CPU utilization target, the only metric this platform measures (80% when none is given). */
export function cpuTarget(hpa: HorizontalPodAutoscaler): number | undefined {
  const metrics = hpa.spec.metrics ?? [];
  if (metrics.length === 0) return 80;
  return metrics.find((m) => m.type === "Resource" && m.resource?.name === "cpu")?.resource?.target
    .averageUtilization;
}
