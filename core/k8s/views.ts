import type { ResourceType } from "./resources";
import type { KubeObject } from "./types";

/**
 * A resource served in one form and stored in another (events.k8s.io/v1 Events are core/v1 Events, as in
 * kube-apiserver): where it is stored, and the conversions both ways.
 */
export interface StorageView {
  stored: { group: string; resource: string };
  fromStored(obj: KubeObject): KubeObject;
  toStored(obj: KubeObject): KubeObject;
}

type Obj = Record<string, unknown>;

function omitUndefined(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const eventsV1: StorageView = {
  stored: { group: "", resource: "events" },
  fromStored(core) {
    const e = core as Obj & { source?: { component?: string; host?: string } };
    return omitUndefined({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: core.metadata,
      eventTime: e.eventTime ?? null,
      series: e.series,
      reportingController: e.reportingComponent || e.source?.component,
      reportingInstance: e.reportingInstance || e.source?.host,
      action: e.action,
      reason: e.reason,
      regarding: e.involvedObject,
      related: e.related,
      note: e.message,
      type: e.type,
      deprecatedSource: e.source,
      deprecatedFirstTimestamp: e.firstTimestamp,
      deprecatedLastTimestamp: e.lastTimestamp,
      deprecatedCount: e.count,
    }) as KubeObject;
  },
  toStored(v1) {
    const e = v1 as Obj;
    const source = (e.deprecatedSource as Obj | undefined) ?? {
      component: e.reportingController,
      host: e.reportingInstance,
    };
    return omitUndefined({
      apiVersion: "v1",
      kind: "Event",
      metadata: v1.metadata,
      eventTime: e.eventTime ?? undefined,
      series: e.series,
      reportingComponent: e.reportingController,
      reportingInstance: e.reportingInstance,
      action: e.action,
      reason: e.reason,
      involvedObject: e.regarding ?? {},
      related: e.related,
      message: e.note,
      type: e.type,
      source: omitUndefined(source),
      firstTimestamp: e.deprecatedFirstTimestamp,
      lastTimestamp: e.deprecatedLastTimestamp ?? e.eventTime ?? undefined,
      count: e.deprecatedCount,
    }) as KubeObject;
  },
};

export function viewOf(type: Pick<ResourceType, "group" | "version" | "resource">): StorageView | undefined {
  return VIEWS[`${type.group}/${type.resource}`] ?? VIEWS[`${type.group}/${type.version}/${type.resource}`];
}

/** Where objects of this type are stored. */
export function storageOf(type: Pick<ResourceType, "group" | "version" | "resource">): {
  group: string;
  resource: string;
} {
  return viewOf(type)?.stored ?? { group: type.group, resource: type.resource };
}

/** autoscaling/v1 HorizontalPodAutoscalers are v2 ones with a single CPU target, as in kube-apiserver. */
const autoscalingV1: StorageView = {
  stored: { group: "autoscaling", resource: "horizontalpodautoscalers" },
  fromStored(v2) {
    const spec = (v2.spec ?? {}) as Obj & { metrics?: { resource?: { name: string; target: Obj } }[] };
    const status = (v2.status ?? {}) as Obj & {
      currentMetrics?: { resource?: { name: string; current: { averageUtilization?: number } } }[];
    };
    const cpu = spec.metrics?.find((m) => m.resource?.name === "cpu")?.resource?.target.averageUtilization;
    const current = status.currentMetrics?.find((m) => m.resource?.name === "cpu")?.resource?.current
      .averageUtilization;
    return {
      apiVersion: "autoscaling/v1",
      kind: "HorizontalPodAutoscaler",
      metadata: v2.metadata,
      spec: omitUndefined({
        scaleTargetRef: spec.scaleTargetRef,
        minReplicas: spec.minReplicas,
        maxReplicas: spec.maxReplicas,
        targetCPUUtilizationPercentage: cpu,
      }),
      status: omitUndefined({
        observedGeneration: status.observedGeneration,
        lastScaleTime: status.lastScaleTime,
        currentReplicas: status.currentReplicas ?? 0,
        desiredReplicas: status.desiredReplicas ?? 0,
        currentCPUUtilizationPercentage: current,
      }),
    };
  },
  toStored(v1) {
    const spec = (v1.spec ?? {}) as Obj;
    const cpu = spec.targetCPUUtilizationPercentage;
    return {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: v1.metadata,
      spec: omitUndefined({
        scaleTargetRef: spec.scaleTargetRef,
        minReplicas: spec.minReplicas,
        maxReplicas: spec.maxReplicas,
        metrics:
          cpu === undefined
            ? undefined
            : [
                {
                  type: "Resource",
                  resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } },
                },
              ],
      }),
    };
  },
};

const VIEWS: Record<string, StorageView> = {
  "events.k8s.io/events": eventsV1,
  "autoscaling/v1/horizontalpodautoscalers": autoscalingV1,
};
