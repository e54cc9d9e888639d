import type { ObjectRef } from "../../core/objects";
import type { Triggers } from "../../core/queues";
import { CLUSTER_RESETTING_CHANNEL, type ClusterRepository } from "../../db/clusters";
import { isNodeReady, type NodeRepository } from "../../db/nodes";
import { type Controller, clusterRef } from "../controller";
import type { Result } from "../shell";
import { planSweep } from "./cluster-reset-plan";
import { askToSweep } from "./cluster-teardown";

const RECHECK_MS = 500;
/** How long a node's sweep may take before it is asked again (a trigger lost with Redis, say). */
const ASK_AGAIN_MS = 10_000;

/**
 * Empties a Resetting cluster back to what a new cluster holds, keeping its row (id, token, network):
 * removes its objects (with their DELETED changes: watches see them go), asks every ready node agent to
 * sweep its containers, network and volumes as a teardown does, and once each has reported, seeds a new
 * cluster's objects again and turns it Active, which wakes the class-charts controller. Writes to the
 * cluster are refused meanwhile (db/store.ts), so nothing written during the reset outlives it. Idempotent.
 */
export class ClusterResetController {
  /** When each node was asked to sweep, per cluster and reset generation (per replica: lost on restart). */
  private readonly asked = new Map<string, { generation: number; at: Map<string, number> }>();

  constructor(
    private readonly clusters: ClusterRepository,
    private readonly nodes: NodeRepository,
    private readonly triggers: Pick<Triggers, "trigger">,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const cluster = await this.clusters.get(ref.clusterId);
    if (cluster?.phase !== "Resetting") {
      this.asked.delete(ref.clusterId);
      return {};
    }
    await this.clusters.emptyForReset(cluster.id);
    const done = new Set(await this.clusters.teardownsDone(cluster.id));
    const now = this.clock();
    const ready = (await this.nodes.list()).filter((n) => isNodeReady(n, now)).map((n) => n.name);
    let asked = this.asked.get(cluster.id);
    if (asked?.generation !== cluster.resetGeneration) {
      asked = { generation: cluster.resetGeneration, at: new Map() };
      this.asked.set(cluster.id, asked);
    }
    const plan = planSweep({ ready, done, asked: asked.at, now: now.getTime(), askAgainMs: ASK_AGAIN_MS });
    if (plan.swept) {
      await this.clusters.completeReset(cluster.id, cluster.resetGeneration);
      this.asked.delete(cluster.id);
      return {};
    }
    for (const node of plan.ask) {
      await askToSweep(this.triggers, node, cluster.id);
      asked.at.set(node, now.getTime());
    }
    return { requeueAfterMs: RECHECK_MS };
  }
}

/** Resets clusters through `POST /v1/clusters/{id}/reset`. */
export const clusterResetController: Controller = {
  queue: "cluster-reset",
  watches: [],
  notified: { channel: CLUSTER_RESETTING_CHANNEL, ref: clusterRef },
  resync: {
    every: "period",
    keys: async ({ clusters }) => (await clusters.resetting()).map((c) => clusterRef(c.id)),
  },
  start: (d) => {
    const controller = new ClusterResetController(d.clusters, d.nodes, d.triggers);
    return (ref) => controller.reconcile(ref);
  },
};
