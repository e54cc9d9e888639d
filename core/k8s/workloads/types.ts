import type { StructuredLabelSelector } from "../selectors";
import type { KubeObject, ObjectMeta, PodSpec, StatusCondition } from "../types";

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
    /** ReplicaFailure while pods cannot be created. */
    conditions?: StatusCondition[];
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

export interface JobCondition {
  type: "Complete" | "Failed" | "Suspended" | "FailureTarget" | "SuccessCriteriaMet";
  status: "True" | "False";
  lastProbeTime: string;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export interface Job extends KubeObject {
  spec: {
    completions?: number;
    parallelism?: number;
    backoffLimit?: number;
    activeDeadlineSeconds?: number;
    ttlSecondsAfterFinished?: number;
    completionMode?: "NonIndexed" | "Indexed";
    podFailurePolicy?: PodFailurePolicy;
    suspend?: boolean;
    manualSelector?: boolean;
    selector?: import("../selectors").StructuredLabelSelector;
    template: PodTemplate;
  };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    ready?: number;
    terminating?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: JobCondition[];
    uncountedTerminatedPods?: Record<string, never>;
    /** Indexed jobs: the indexes that succeeded, as ranges (`0-2,4`). */
    completedIndexes?: string;
  };
}

/** How a Job treats a failed pod, by its containers' exit codes or its conditions; the first rule that matches decides. */
export interface PodFailurePolicy {
  rules: PodFailurePolicyRule[];
}

export interface PodFailurePolicyRule {
  action: "FailJob" | "Ignore" | "Count" | "FailIndex";
  onExitCodes?: { containerName?: string; operator: "In" | "NotIn"; values: number[] };
  onPodConditions?: { type: string; status: string }[];
}

/** Where an Indexed Job's pod carries its index (annotation and label). */
export const JOB_INDEX_KEY = "batch.kubernetes.io/job-completion-index";

export const JOB_UID_LABEL = "batch.kubernetes.io/controller-uid";
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";

export interface CronJob extends KubeObject {
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: "Allow" | "Forbid" | "Replace";
    suspend?: boolean;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate: { metadata?: ObjectMeta; spec: Job["spec"] };
  };
  status?: {
    active?: {
      apiVersion: string;
      kind: string;
      name: string;
      namespace: string;
      uid: string;
      resourceVersion?: string;
    }[];
    lastScheduleTime?: string;
    lastSuccessfulTime?: string;
  };
}

export interface StatefulSet extends KubeObject {
  spec: {
    replicas?: number;
    selector: StructuredLabelSelector;
    template: PodTemplate;
    serviceName?: string;
    podManagementPolicy?: "OrderedReady" | "Parallel";
    updateStrategy?: {
      type?: "RollingUpdate" | "OnDelete";
      rollingUpdate?: { partition?: number; maxUnavailable?: number | string };
    };
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
    /** Each pod gets its own claim from each template, `<template>-<set>-<ordinal>`. */
    volumeClaimTemplates?: KubeObject[];
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
    ordinals?: { start?: number };
  };
  status?: {
    observedGeneration?: number;
    replicas: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    collisionCount?: number;
  };
}

export interface DaemonSet extends KubeObject {
  spec: {
    selector: StructuredLabelSelector;
    template: PodTemplate;
    updateStrategy?: {
      type?: "RollingUpdate" | "OnDelete";
      rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string };
    };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: {
    currentNumberScheduled: number;
    numberMisscheduled: number;
    desiredNumberScheduled: number;
    numberReady: number;
    observedGeneration?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    numberUnavailable?: number;
  };
}

/** apps/v1 ControllerRevision: an immutable snapshot of a StatefulSet's or DaemonSet's pod template. */
export interface ControllerRevision extends KubeObject {
  data: { spec: { template: PodTemplate & { $patch?: "replace" } } };
  revision: number;
}

/** On pods and ControllerRevisions: which revision of their controller's template they come from. */
export const CONTROLLER_REVISION_HASH_LABEL = "controller-revision-hash";
export const STATEFULSET_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
export const DAEMONSET_TEMPLATE_GENERATION_LABEL = "pod-template-generation";
/** On a DaemonSet: how many times its template changed, as kube-apiserver counts it. */
export const DAEMONSET_TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";
