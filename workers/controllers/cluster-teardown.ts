import type { ObjectRef } from "../../core/objects";
import type { Triggers } from "../../core/queues";
import type { ClusterRepository } from "../../db/clusters";
import { CLUSTER_TERMINATING_CHANNEL } from "../../db/clusters";
import { isNodeReady, type NodeRepository } from "../../db/nodes";
import { type Controller, clusterRef, enqueue } from "../controller";
import { clusterSweepController } from "../node-agent/cluster-sweep";
import type { Result } from "../shell";

const RECHECK_MS = 500;

/**
 * Tears a Terminating cluster down: asks every node agent to remove its containers and network, and
 * deletes the cluster (objects cascade) once each registered node has reported back. Idempotent.
 */
export class ClusterTeardownController {
  constructor(
    private readonly clusters: ClusterRepository,
    private readonly nodes: NodeRepository,
    private readonly triggers: Triggers,
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const cluster = await this.clusters.get(ref.clusterId);
    if (cluster?.phase !== "Terminating") return {};
    await this.clusters.removeObjects(cluster.id);
    const done = new Set(await this.clusters.teardownsDone(cluster.id));
    // A node that is down cleans up when it returns: its relist removes containers of unknown pods.
    const now = new Date();
    const pending = (await this.nodes.list()).filter((n) => isNodeReady(n, now) && !done.has(n.name));
    if (pending.length === 0) {
      await this.clusters.remove(cluster.id);
      return {};
    }
    await Promise.all(pending.map((n) => askToSweep(this.triggers, n.name, cluster.id)));
    return { requeueAfterMs: RECHECK_MS };
  }
}

/**
 * Asks a node's agent to sweep the cluster off its node: remove its containers, network and volumes, then
 * record it (ClusterRepository.recordTeardown) while the cluster is Terminating or Resetting.
 */
export function askToSweep(
  triggers: Pick<Triggers, "trigger">,
  node: string,
  clusterId: string,
): Promise<void> {
  return enqueue(triggers, clusterSweepController, { ref: clusterRef(clusterId), node });
}

/** Tears down clusters deleted through the management API or past their `expiresAt`. */
export const clusterTeardownController: Controller = {
  queue: "cluster-teardown",
  watches: [],
  notified: { channel: CLUSTER_TERMINATING_CHANNEL, ref: clusterRef },
  resync: {
    every: "period",
    keys: async ({ clusters }) => {
      // a cluster past its expiresAt goes with everything it ran, as a DELETE would take it
      for (const c of await clusters.expired()) await clusters.markTerminating(c.id);
      return (await clusters.terminating()).map((c) => clusterRef(c.id));
    },
  },
  start: (d) => {
    const controller = new ClusterTeardownController(d.clusters, d.nodes, d.triggers);
    return (ref) => controller.reconcile(ref);
  },
};
