import type { ResourceType } from "../../../core/k8s/resources";
import { cronJobStrategy } from "./cronjobs";
import { daemonSetStrategy } from "./daemonsets";
import { genericStrategy } from "./generic";
import { hpaStrategy } from "./hpa";
import { ingressStrategy } from "./ingresses";
import { jobStrategy } from "./jobs";
import { namespaceStrategy } from "./namespaces";
import { networkPolicyStrategy } from "./network-policies";
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
  NetworkPolicy: networkPolicyStrategy,
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
};

export function strategyFor(type: ResourceType): Strategy {
  return BY_KIND[type.kind] ?? genericStrategy;
}
