import type { KubeObject, Pod } from "./k8s/types";
import { type ObjectRef, QUEUE } from "./queue-names";

/** A committed write, as the dispatcher sees it. */
export interface Committed {
  clusterId: string;
  group: string;
  resource: string;
  namespace: string;
  name: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
}

export interface Trigger {
  queue: string;
  ref: ObjectRef;
}

const OWNER_QUEUES: Record<string, string> = {
  ReplicaSet: QUEUE.replicaset,
  Deployment: QUEUE.deployment,
  Job: QUEUE.job,
  CronJob: QUEUE.cronjob,
  StatefulSet: QUEUE.statefulset,
  DaemonSet: QUEUE.daemonset,
};

/** The controller of each kind, woken by every write to one of its objects. */
const OWN_QUEUES: Record<string, string> = {
  "apps/replicasets": QUEUE.replicaset,
  "apps/deployments": QUEUE.deployment,
  "batch/jobs": QUEUE.job,
  "batch/cronjobs": QUEUE.cronjob,
  "networking.k8s.io/ingresses": QUEUE.ingress,
  "apps/statefulsets": QUEUE.statefulset,
  "apps/daemonsets": QUEUE.daemonset,
  "autoscaling/horizontalpodautoscalers": QUEUE.hpa,
};

/** What the nodes' data path (service proxy, DNS, gateway) is configured from. */
const NETWORK_RESOURCES = new Set([
  "/services",
  "discovery.k8s.io/endpointslices",
  "networking.k8s.io/ingresses",
  // Ingress TLS certificates
  "/secrets",
]);

/** Storage objects: any write re-plans the cluster's claims and volumes. */
const STORAGE_RESOURCES = new Set([
  "/persistentvolumeclaims",
  "/persistentvolumes",
  "storage.k8s.io/storageclasses",
]);

/** Whether a write can change what a namespace uses of its quotas: objects come and go, pods finish. */
function quotaMayChange(c: Committed): boolean {
  if (c.type !== "MODIFIED" || (c.group === "" && c.resource === "resourcequotas")) return true;
  const phase = (c.object as Pod).status?.phase;
  return c.group === "" && c.resource === "pods" && (phase === "Succeeded" || phase === "Failed");
}

/** Finalizers the garbage collector works off. */
const GC_FINALIZERS = new Set(["foregroundDeletion", "orphan"]);

/** Controllers woken by a new namespace, keyed by the namespace's name. */
const NAMESPACE_QUEUES = [QUEUE.serviceAccount];

/**
 * Which reconcilers a committed write wakes: the object's own controller, its controlling owner's, the
 * node agent of a bound pod, and the garbage collector when an owner is deleted. Pure.
 */
export function triggersFor(c: Committed): Trigger[] {
  const ref = { clusterId: c.clusterId, namespace: c.namespace, name: c.name };
  const out: Trigger[] = [];
  const owner = c.object.metadata.ownerReferences?.find((o) => o.controller);
  if (owner && OWNER_QUEUES[owner.kind]) {
    out.push({ queue: OWNER_QUEUES[owner.kind] as string, ref: { ...ref, name: owner.name } });
  }
  if (c.group === "" && c.resource === "pods") {
    const node = (c.object as Pod).spec?.nodeName;
    if (node) out.push({ queue: QUEUE.node(node), ref });
    else if (c.type !== "DELETED") out.push({ queue: QUEUE.scheduler, ref });
  }
  if (c.group === "" && c.resource === "namespaces" && c.type === "ADDED") {
    for (const queue of NAMESPACE_QUEUES)
      out.push({ queue, ref: { clusterId: c.clusterId, namespace: "", name: c.name } });
  }
  if (c.group === "" && c.resource === "pods")
    out.push({ queue: QUEUE.endpoints, ref: { clusterId: c.clusterId, namespace: c.namespace, name: "" } });
  if (c.group === "" && c.resource === "services") out.push({ queue: QUEUE.endpoints, ref });
  if (
    (c.group === "" && c.resource === "pods") ||
    (c.group === "policy" && c.resource === "poddisruptionbudgets")
  )
    out.push({ queue: QUEUE.disruption, ref: { clusterId: c.clusterId, namespace: c.namespace, name: "" } });
  if (NETWORK_RESOURCES.has(`${c.group}/${c.resource}`))
    out.push({ queue: QUEUE.clusterNetwork, ref: { clusterId: c.clusterId, namespace: "", name: "" } });
  if (c.namespace && c.resource !== "events" && quotaMayChange(c))
    out.push({
      queue: QUEUE.resourceQuota,
      ref: { clusterId: c.clusterId, namespace: c.namespace, name: "" },
    });
  if (STORAGE_RESOURCES.has(`${c.group}/${c.resource}`))
    out.push({ queue: QUEUE.persistentVolumes, ref: { clusterId: c.clusterId, namespace: "", name: "" } });
  const own = OWN_QUEUES[`${c.group}/${c.resource}`];
  if (own && c.type !== "DELETED") out.push({ queue: own, ref });
  if (
    c.group === "" &&
    c.resource === "namespaces" &&
    c.object.metadata.deletionTimestamp &&
    c.type !== "DELETED"
  ) {
    out.push({ queue: QUEUE.namespace, ref: { clusterId: c.clusterId, namespace: "", name: c.name } });
  }
  const collect = (uid: string) =>
    out.push({
      queue: QUEUE.garbageCollector,
      ref: { clusterId: c.clusterId, namespace: c.namespace, name: uid },
    });
  const { uid, deletionTimestamp, finalizers, ownerReferences } = c.object.metadata;
  // an owner gone or going: its dependents follow; a dependent gone: a foreground owner may be done waiting
  if (uid && (c.type === "DELETED" || (deletionTimestamp && finalizers?.some((f) => GC_FINALIZERS.has(f)))))
    collect(uid);
  if (c.type === "DELETED") for (const owner of ownerReferences ?? []) collect(owner.uid);
  return out;
}
