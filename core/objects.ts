/** Identity of an object: cluster, API group, plural resource, namespace ("" if cluster-scoped), name. */
export interface ObjectKey {
  clusterId: string;
  group: string;
  resource: string;
  namespace: string;
  name: string;
}

/**
 * What a reconcile job names: an object of the kind its queue serves, so no group or resource. By a
 * controller's convention a name of "" means the whole namespace, and a namespace and name of "" the cluster.
 */
export type ObjectRef = Pick<ObjectKey, "clusterId" | "namespace" | "name">;
