import { randomUUID } from "node:crypto";
import { customResourceStrategy } from "../crd/custom-resources";
import { crdStrategy } from "../crd/definitions";
import type { ResourceType } from "../resources";
import { cronJobStrategy } from "./cronjobs";
import { daemonSetStrategy } from "./daemonsets";
import { genericStrategy } from "./generic";
import { hpaStrategy } from "./hpa";
import { ingressStrategy } from "./ingresses";
import { jobStrategy } from "./jobs";
import { namespaceStrategy } from "./namespaces";
import { podStrategy } from "./pods";
import { priorityClassStrategy } from "./priority-classes";
import { secretStrategy } from "./secrets";
import { serviceStrategy } from "./services";
import { statefulSetStrategy } from "./statefulsets";
import { claimStrategy, volumeStrategy } from "./storage";
import type { Strategy } from "./strategy";
import { workloadStrategy } from "./workloads";

const BY_KIND: Record<string, Strategy> = {
  Pod: podStrategy,
  Namespace: namespaceStrategy,
  Service: serviceStrategy,
  Ingress: ingressStrategy,
  HorizontalPodAutoscaler: hpaStrategy,
  Deployment: workloadStrategy,
  ReplicaSet: workloadStrategy,
  Job: jobStrategy,
  CronJob: cronJobStrategy,
  StatefulSet: statefulSetStrategy,
  DaemonSet: daemonSetStrategy,
  PriorityClass: priorityClassStrategy,
  Secret: secretStrategy,
  PersistentVolumeClaim: claimStrategy,
  PersistentVolume: volumeStrategy,
  CustomResourceDefinition: crdStrategy,
};

/**
 * What kube-apiserver sets on every new object before its strategy runs, whatever the client sent: a
 * fresh uid, and no creation or deletion stamps. The uid names Docker objects and keys look-ups, so a
 * client must never choose it.
 */
function withSystemFields(strategy: Strategy): Strategy {
  return {
    ...strategy,
    create(obj, ctx) {
      const { creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds, ...meta } = obj.metadata;
      return strategy.create({ ...obj, metadata: { ...meta, uid: randomUUID() } }, ctx);
    },
  };
}

const STRATEGIES = new Map<string, Strategy>(
  Object.entries(BY_KIND).map(([kind, strategy]) => [kind, withSystemFields(strategy)]),
);
const GENERIC = withSystemFields(genericStrategy);
const CUSTOM = withSystemFields(customResourceStrategy);

export function strategyFor(type: ResourceType): Strategy {
  if (type.custom) return CUSTOM;
  return STRATEGIES.get(type.kind) ?? GENERIC;
}
