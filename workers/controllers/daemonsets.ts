import { isControlledBy } from "../../core/k8s/owners";
import type { Pod } from "../../core/k8s/types";
import type { ControllerRevision, DaemonSet } from "../../core/k8s/workloads/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import { type NodeRepository, type NodeRow, nodeLabels } from "../../db/nodes";
import type { ObjectStore } from "../../db/store";
import { kindController } from "../controller";
import type { EventRecorder } from "../events";
import type { Result } from "../shell";
import { applyRevisions } from "./apply-revisions";
import { planDaemonSet } from "./daemonset-plan";
import type { NodeInfo } from "./node-eligibility";
import { applyPodChanges, REFUSED_RETRY_MS } from "./owned-pods";
import { writeStatus } from "./write-status";

const key = (ref: ObjectRef, group: string, resource: string, name = ref.name): ObjectKey => ({
  clusterId: ref.clusterId,
  group,
  resource,
  namespace: ref.namespace,
  name,
});

/** A platform node with the labels and taints its v1 Node carries. */
function nodeInfo(row: NodeRow): NodeInfo {
  return { name: row.name, labels: nodeLabels(row), taints: row.taints };
}

/**
 * Keeps one pod of a DaemonSet on every eligible node (see daemonset-plan.ts). Nodes are not in the change
 * feed: a new node is picked up by the periodic resync.
 */
export class DaemonSetController {
  constructor(
    private readonly store: ObjectStore,
    private readonly nodes: NodeRepository,
    private readonly events: EventRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const ds = (await this.store.get(key(ref, "apps", "daemonsets"))) as DaemonSet | undefined;
    if (!ds || ds.metadata.deletionTimestamp) return {};
    const scope = { clusterId: ref.clusterId, namespace: ref.namespace };
    const [rows, { items: pods }, { items: revisions }] = await Promise.all([
      this.nodes.list(),
      this.store.list({ ...scope, group: "", resource: "pods" }),
      this.store.list({ ...scope, group: "apps", resource: "controllerrevisions" }),
    ]);
    const now = this.now();
    const plan = planDaemonSet(
      ds,
      rows.map(nodeInfo),
      pods.filter((p) => isControlledBy(p, ds)) as Pod[],
      revisions.filter((r) => isControlledBy(r, ds)) as ControllerRevision[],
      now,
    );
    await applyRevisions(this.store, ref, plan.revisions);
    const { refused } = await applyPodChanges({ store: this.store, events: this.events }, ref, ds, {
      create: plan.create,
      remove: plan.remove,
      pods: pods as Pod[],
      now,
    });
    await writeStatus(this.store, key(ref, "apps", "daemonsets"), ds.metadata.uid ?? "", plan.status);
    return refused ? { requeueAfterMs: REFUSED_RETRY_MS } : {};
  }
}

export const daemonSetController = kindController({
  queue: "daemonset",
  group: "apps",
  resource: "daemonsets",
  kind: "DaemonSet",
  start: (d) => {
    const controller = new DaemonSetController(d.store, d.nodes, d.events("daemonset-controller"));
    return (ref) => controller.reconcile(ref);
  },
});
