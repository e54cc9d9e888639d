import type { ObjectRef } from "./objects";

/** Queue names; BullMQ forbids `:` in names and ids. */
export const QUEUE = {
  scheduler: "scheduler",
  clusterTeardown: "cluster-teardown",
  namespace: "namespace",
  replicaset: "replicaset",
  deployment: "deployment",
  job: "job",
  cronjob: "cronjob",
  statefulset: "statefulset",
  daemonset: "daemonset",
  serviceAccount: "serviceaccount",
  garbageCollector: "garbage-collector",
  endpoints: "endpoints",
  ingress: "ingress",
  hpa: "horizontal-pod-autoscaler",
  /** Binds a cluster's PersistentVolumeClaims to PersistentVolumes (ref: the cluster alone). */
  persistentVolumes: "persistent-volumes",
  /** Recounts a namespace's ResourceQuotas (ref: the namespace, no name). */
  resourceQuota: "resource-quota",
  /** Recomputes a namespace's PodDisruptionBudgets (ref: the namespace, no name). */
  disruption: "disruption",
  /** Fans a cluster's Service changes out to the network reconciler of every node. */
  clusterNetwork: "cluster-network",
  nodeNetwork: (nodeName: string) => `node-network-${nodeName}`,
  node: (nodeName: string) => `node-${nodeName}`,
} as const;

/** The name in a node network job's ref that means the node's gateway (other refs name a cluster). */
export const GATEWAY = "gateway";

export type { ObjectRef } from "./objects";

/** The queue key is the object key: at most one active and one waiting job per object. */
export function jobKey(ref: ObjectRef): string {
  return `${ref.clusterId}/${ref.namespace}/${ref.name}`;
}
