import type { StructuredLabelSelector } from "../selectors";
import type { KubeObject, ObjectMeta, PodSpec } from "../types";

export interface PodTemplate {
  metadata?: ObjectMeta;
  spec: PodSpec;
}

export interface ReplicaSet extends KubeObject {
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    selector: StructuredLabelSelector;
    template: PodTemplate;
  };
  status?: {
    replicas: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
  };
}

export interface DeploymentCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    selector: StructuredLabelSelector;
    template: PodTemplate;
    strategy?: {
      type?: "RollingUpdate" | "Recreate";
      rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
    };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    progressDeadlineSeconds?: number;
    paused?: boolean;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: DeploymentCondition[];
  };
}

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const TEMPLATE_HASH_LABEL = "pod-template-hash";
