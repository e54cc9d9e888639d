/** Queue names; BullMQ forbids `:` in names and ids. */
export const QUEUE = {
  scheduler: "scheduler",
  clusterTeardown: "cluster-teardown",
  namespace: "namespace",
  replicaset: "replicaset",
  deployment: "deployment",
  job: "job",
  cronjob: "cronjob",
  serviceAccount: "serviceaccount",
  garbageCollector: "garbage-collector",
  node: (nodeName: string) => `node-${nodeName}`,
} as const;

/** What a reconcile job carries: the identity of the object to converge, never its content. */
export interface ObjectRef {
  clusterId: string;
  namespace: string;
  name: string;
}

/** The queue key is the object key: at most one active and one waiting job per object. */
export function jobKey(ref: ObjectRef): string {
  return `${ref.clusterId}/${ref.namespace}/${ref.name}`;
}
