import type { KubeObject } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/objects";
import { clusterRef, enqueue } from "../controller";
import { nodeNetworkController } from "./cluster-netd";
import { clusterSweepController } from "./cluster-sweep";
import type { NodeDeps } from "./node-context";
import { GATEWAY_REF, nodeGatewayController } from "./node-gateway";
import type { ObservedPod } from "./runtime";

/** The pods to sync: every pod bound here, then every pod whose containers run here but that is not. */
export function podsToSync(
  bound: readonly { clusterId: string; pod: KubeObject }[],
  observed: ReadonlyMap<string, ObservedPod>,
): ObjectRef[] {
  const known = new Set(bound.map(({ pod }) => pod.metadata.uid ?? ""));
  return [
    ...bound.map(({ clusterId, pod }) => ({
      clusterId,
      namespace: pod.metadata.namespace ?? "",
      name: pod.metadata.name ?? "",
    })),
    ...[...observed]
      .filter(([uid]) => !known.has(uid))
      .map(([, o]) => ({ clusterId: o.pod.clusterId, namespace: o.pod.namespace, name: o.pod.name })),
  ];
}

/**
 * The level-triggered safety net, every resync period: every pod bound here and every container found
 * here gets a sync, the netd of each cluster with pods here and the gateway a reconfiguration, netds of
 * deleted clusters go, and each cluster being torn down a sweep — so lost triggers and dead containers
 * are noticed.
 */
export async function relist(
  d: Pick<NodeDeps, "nodeName" | "store" | "runtime" | "network" | "clusters" | "triggers" | "wakePod">,
): Promise<void> {
  const node = d.nodeName;
  const [bound, observed] = await Promise.all([d.store.podsOnNode(node), d.runtime.listPods()]);
  for (const ref of podsToSync(bound, observed)) await d.wakePod(ref);
  for (const clusterId of new Set(bound.map((b) => b.clusterId)))
    await enqueue(d.triggers, nodeNetworkController, { ref: clusterRef(clusterId), node });
  await enqueue(d.triggers, nodeGatewayController, { ref: GATEWAY_REF, node });
  await d.network.collectOrphans();
  for (const cluster of await d.clusters.terminating())
    await enqueue(d.triggers, clusterSweepController, { ref: clusterRef(cluster.id), node });
}
