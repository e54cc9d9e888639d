import { isTerminal } from "../../core/k8s/pods";
import { rfc3339 } from "../../core/k8s/time";
import type { Pod } from "../../core/k8s/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import type { NodeRepository, NodeRow } from "../../db/nodes";
import type { ObjectStore } from "../../db/store";
import type { Controller } from "../controller";
import type { Result } from "../shell";
import { evictions, nodeVerdict } from "./node-lifecycle-plan";

/** The controller acts on every node at once: one key. */
const EVERY_NODE: ObjectRef = { clusterId: "", namespace: "", name: "" };

const podKey = (clusterId: string, pod: Pod): ObjectKey => ({
  clusterId,
  group: "",
  resource: "pods",
  namespace: pod.metadata.namespace ?? "",
  name: pod.metadata.name ?? "",
});

const ownedByDaemonSet = (pod: Pod) =>
  pod.metadata.ownerReferences?.some((o) => o.controller && o.kind === "DaemonSet") === true;

/**
 * kube-controller-manager's node lifecycle controller and taint manager, over every node each resync:
 * a node whose heartbeat is older than the grace goes Ready=Unknown with the unreachable taints, its pods
 * turn not Ready (so Services stop sending them traffic), and each is deleted once its toleration of the
 * NoExecute taint runs out, so that its ReplicaSet, StatefulSet or Job makes it again on a healthy node.
 * The deletion is immediate (no grace): nobody is left to stop the containers, and the node's agent
 * removes them if the node comes back (its relist drops what no pod object asks for). A fresh heartbeat
 * lifts the taints. A draining node (`DELETE /v1/nodes`) is removed once only DaemonSet pods are left.
 */
export class NodeLifecycleController {
  constructor(
    private readonly o: {
      nodes: NodeRepository;
      store: ObjectStore;
      graceMs: number;
      now?: () => Date;
    },
  ) {}

  async reconcile(): Promise<Result> {
    const now = this.o.now?.() ?? new Date();
    let next: number | undefined;
    for (const node of await this.o.nodes.list()) {
      const verdict = nodeVerdict(node, now, this.o.graceMs);
      if (verdict.changed) {
        const written = await this.o.nodes.setCondition(
          node.name,
          node.heartbeatAt,
          verdict.conditionTaints,
          now,
        );
        if (!written) continue;
      }
      const pods = (await this.o.store.podsOnNode(node.name))
        .map((p) => ({ clusterId: p.clusterId, pod: p.pod as Pod }))
        .filter((p) => !isTerminal(p.pod));
      if (verdict.changed && verdict.conditionTaints.length)
        for (const p of pods) await this.markNotReady(p.clusterId, p.pod, now);
      if (node.draining && (await this.removeDrained(node, pods))) continue;
      const noExecute = verdict.conditionTaints.find((t) => t.effect === "NoExecute");
      if (!noExecute) continue;
      const { evict, nextInMs } = evictions(
        pods.map((p) => p.pod),
        noExecute,
        now,
      );
      for (const pod of evict) {
        const owner = pods.find((p) => p.pod === pod);
        if (owner) await this.forceDelete(owner.clusterId, pod);
      }
      if (nextInMs !== undefined) next = Math.min(next ?? nextInMs, nextInMs);
    }
    return next === undefined ? {} : { requeueAfterMs: next };
  }

  /** A lost node's pods are not Ready, as kube's MarkPodsNotReady sets them: endpoints drop them. */
  private async markNotReady(clusterId: string, pod: Pod, now: Date): Promise<void> {
    await this.o.store
      .mutate(podKey(clusterId, pod), (current) => {
        const p = current as Pod;
        if (p.metadata.uid !== pod.metadata.uid || !p.status?.conditions) return undefined;
        const ready = p.status.conditions.find((c) => c.type === "Ready");
        if (!ready || ready.status === "False") return undefined;
        ready.status = "False";
        ready.lastTransitionTime = rfc3339(now);
        for (const s of p.status.containerStatuses ?? []) s.ready = false;
        return p;
      })
      .catch(() => undefined);
  }

  private async forceDelete(clusterId: string, pod: Pod): Promise<void> {
    await this.o.store.delete(podKey(clusterId, pod), { uid: pod.metadata.uid ?? "" }).catch(() => undefined);
  }

  /** Removes a draining node once only DaemonSet pods are left on it (those go with it, as PodGC's orphans). */
  private async removeDrained(node: NodeRow, pods: { clusterId: string; pod: Pod }[]): Promise<boolean> {
    if (pods.some((p) => !ownedByDaemonSet(p.pod))) return false;
    await this.o.nodes.remove(node.name);
    for (const p of pods) await this.forceDelete(p.clusterId, p.pod);
    return true;
  }
}

export const nodeLifecycleController: Controller = {
  queue: "node-lifecycle",
  watches: [],
  resync: { every: "period", keys: async () => [EVERY_NODE] },
  start: (d) => {
    const controller = new NodeLifecycleController({
      nodes: d.nodes,
      store: d.store,
      graceMs: d.config.nodeMonitorGraceSeconds * 1000,
    });
    return () => controller.reconcile();
  },
};
