import type { Pod } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/objects";
import type { Triggers } from "../../core/queues";
import { CLUSTER_SLEEP_CHANNEL, type ClusterRepository } from "../../db/clusters";
import { isNodeReady, type NodeRepository } from "../../db/nodes";
import type { ObjectStore } from "../../db/store";
import { type Controller, clusterRef, enqueue } from "../controller";
import { nodeNetworkController } from "../node-agent/cluster-netd";
import { podSyncController } from "../node-agent/pod-sync";
import type { Result } from "../shell";
import { clustersToSleep } from "./cluster-sleep-plan";

/**
 * Carries a cluster's sleep or wake-up to the nodes (ref: the cluster): a sync of each of its pods on the
 * pod's node, which stops and removes the pod's containers while the cluster sleeps (keeping its volumes)
 * and starts them again once it is Active, and while it sleeps a network sync on each node, which removes
 * its netd. The nodes read the phase themselves, so a lost trigger is made good by their next relist.
 */
export class ClusterSleepController {
  constructor(
    private readonly clusters: ClusterRepository,
    private readonly store: ObjectStore,
    private readonly nodes: NodeRepository,
    private readonly triggers: Triggers,
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const cluster = await this.clusters.get(ref.clusterId);
    if (cluster?.phase !== "Sleeping" && cluster?.phase !== "Active") return {};
    const { items } = await this.store.list({ clusterId: cluster.id, group: "", resource: "pods" });
    await Promise.all(
      (items as Pod[]).map((pod) => {
        const node = pod.spec?.nodeName;
        if (!node) return undefined;
        const podRef = {
          clusterId: cluster.id,
          namespace: pod.metadata.namespace ?? "",
          name: pod.metadata.name ?? "",
        };
        return enqueue(this.triggers, podSyncController, { ref: podRef, node });
      }),
    );
    if (cluster.phase === "Sleeping") {
      const now = new Date();
      const ready = (await this.nodes.list()).filter((n) => isNodeReady(n, now));
      await Promise.all(
        ready.map((n) =>
          enqueue(this.triggers, nodeNetworkController, { ref: clusterRef(cluster.id), node: n.name }),
        ),
      );
    }
    return {};
  }
}

/**
 * Puts to sleep the clusters of classes with an idleBeforeSleep that had no request for that long (each
 * resync), and carries each sleep and wake-up (the API wakes a cluster on its next request) to the nodes.
 */
export const clusterSleepController: Controller = {
  queue: "cluster-sleep",
  watches: [],
  notified: { channel: CLUSTER_SLEEP_CHANNEL, ref: clusterRef },
  resync: {
    every: "period",
    keys: async ({ clusters }) => {
      const slept: ObjectRef[] = [];
      for (const c of clustersToSleep(await clusters.sleepCandidates(), new Date()))
        if (await clusters.markSleeping(c.id, c.idleSeconds)) slept.push(clusterRef(c.id));
      return slept;
    },
  },
  start: (d) => {
    const controller = new ClusterSleepController(d.clusters, d.store, d.nodes, d.triggers);
    return (ref) => controller.reconcile(ref);
  },
};
