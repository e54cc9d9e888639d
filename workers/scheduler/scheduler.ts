import { isTerminal } from "../../core/k8s/pods";
import { cpuMillis, memoryBytes, podRequests, scoringRequests } from "../../core/k8s/requests";
import { mergeTaints } from "../../core/k8s/scheduling/taints";
import type { Taint } from "../../core/k8s/scheduling/types";
import { rfc3339 } from "../../core/k8s/time";
import type { KubeObject, Pod, PodCondition } from "../../core/k8s/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import { isNodeReady, type NodeRepository, nodeLabels, platformTaints } from "../../db/nodes";
import type { ObjectStore } from "../../db/store";
import type { Controller } from "../controller";
import type { EventRecorder } from "../events";
import { deletePodGracefully } from "../pod-deletion";
import type { Result } from "../shell";
import { type ClusterView, type NodeCandidate, priorityOf } from "./candidate";
import { type Decision, schedulePod } from "./plan";
import { usesPodAffinity } from "./pod-affinity";
import type { Preemption } from "./preemption";

const RETRY_UNSCHEDULABLE_MS = 5000;
const SCHEDULER_NAME = "default-scheduler";

export interface SchedulerOptions {
  store: ObjectStore;
  nodes: NodeRepository;
  events: EventRecorder;
  now?: () => Date;
}

function withCondition(pod: Pod, condition: PodCondition): PodCondition[] {
  const others = (pod.status?.conditions ?? []).filter((c) => c.type !== condition.type);
  return [...others, condition];
}

const podKey = (clusterId: string, pod: Pod): ObjectKey => ({
  clusterId,
  group: "",
  resource: "pods",
  namespace: pod.metadata.namespace ?? "default",
  name: pod.metadata.name ?? "",
});

/**
 * The default scheduler: binds each pending pod to the best feasible node (see plan.ts), or leaves it
 * Pending with PodScheduled=False and a FailedScheduling event, preempting lower-priority pods of its own
 * cluster when that makes room. Retried every few seconds while unschedulable.
 */
export class Scheduler {
  private readonly now: () => Date;
  constructor(private readonly o: SchedulerOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** The nodes as this cluster sees them: every cluster's requests, only its own pods. */
  private async view(clusterId: string, pod: Pod): Promise<ClusterView> {
    const now = this.now();
    const [rows, views, nominated] = await Promise.all([
      this.o.nodes.list(),
      this.views(clusterId),
      this.o.store.nominatedPods(),
    ]);
    const nodes: NodeCandidate[] = await Promise.all(
      rows.map(async (row) => {
        const bound = (await this.o.store.podsOnNode(row.name)).filter((p) => !isTerminal(p.pod as Pod));
        const requested = bound
          .map((p) => podRequests(p.pod as Pod))
          .reduce(
            (a, b) => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes }),
            { cpuMillis: 0, memoryBytes: 0 },
          );
        const scoringRequested = bound
          .map((p) => scoringRequests(p.pod as Pod))
          .reduce(
            (a, b) => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes }),
            { cpuMillis: 0, memoryBytes: 0 },
          );
        const view = views.get(row.name);
        const spec = view?.spec as { unschedulable?: boolean; taints?: Taint[] } | undefined;
        return {
          name: row.name,
          ready: isNodeReady(row, now),
          unschedulable: row.unschedulable || spec?.unschedulable === true,
          labels: { ...nodeLabels(row), ...view?.metadata.labels },
          taints: mergeTaints(platformTaints(row), spec?.taints),
          allocatable: {
            cpuMillis: cpuMillis(row.allocatable.cpu ?? "0"),
            memoryBytes: memoryBytes(row.allocatable.memory ?? "0"),
            pods: Number(row.allocatable.pods ?? 110),
          },
          requested: { ...requested, pods: bound.length },
          scoringRequested,
          // tenants are walls: another cluster's pods only ever count in `requested`
          pods: bound.filter((p) => p.clusterId === clusterId).map((p) => p.pod as Pod),
          nominated: nominated
            .map((n) => n.object as Pod)
            .filter((p) => p.status?.nominatedNodeName === row.name && !p.metadata.deletionTimestamp)
            .map((p) => ({ uid: p.metadata.uid ?? "", priority: priorityOf(p), requests: podRequests(p) })),
        };
      }),
    );
    const namespaceLabels: ClusterView["namespaceLabels"] = {};
    if (usesPodAffinity([pod, ...nodes.flatMap((n) => n.pods ?? [])])) {
      const { items } = await this.o.store.list({
        clusterId,
        group: "",
        resource: "namespaces",
        namespace: "",
      });
      for (const ns of items) namespaceLabels[ns.metadata.name ?? ""] = ns.metadata.labels ?? {};
    }
    return { nodes, namespaceLabels };
  }

  /**
   * The pod's cluster's own view of the nodes (api/kube/nodes.ts): the labels and taints it added and
   * whether it cordoned them. No other cluster's view counts.
   */
  private async views(clusterId: string): Promise<Map<string, KubeObject>> {
    const { items } = await this.o.store.list({ clusterId, group: "", resource: "nodes" });
    return new Map(items.map((n) => [n.metadata.name ?? "", n]));
  }

  async reconcile(ref: ObjectRef): Promise<Result> {
    const key: ObjectKey = {
      clusterId: ref.clusterId,
      group: "",
      resource: "pods",
      namespace: ref.namespace,
      name: ref.name,
    };
    const pod = (await this.o.store.get(key)) as Pod | undefined;
    if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp) return {};
    if (pod.spec.schedulerName && pod.spec.schedulerName !== SCHEDULER_NAME) return {};
    const view = await this.view(ref.clusterId, pod);
    const decision = schedulePod(pod, view.nodes, view.namespaceLabels);
    if ("node" in decision) {
      await this.bind(key, pod, decision.node);
      return {};
    }
    await this.markUnschedulable(key, pod, decision);
    if (decision.preempt) await this.preempt(ref.clusterId, pod, decision.preempt);
    return { requeueAfterMs: RETRY_UNSCHEDULABLE_MS };
  }

  private async bind(key: ObjectKey, pod: Pod, node: string): Promise<void> {
    const stamp = rfc3339(this.now());
    const bound = await this.o.store.mutate(key, (current) => {
      const p = current as Pod;
      if (p.metadata.uid !== pod.metadata.uid || p.spec.nodeName) return undefined;
      p.spec.nodeName = node;
      p.status = {
        ...p.status,
        conditions: withCondition(p, {
          type: "PodScheduled",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: stamp,
        }),
      };
      return p;
    });
    if (!bound || (bound as Pod).spec.nodeName !== node) return;
    await this.o.events.record(
      key.clusterId,
      bound,
      "Normal",
      "Scheduled",
      `Successfully assigned ${key.namespace}/${key.name} to ${node}`,
    );
  }

  /** PodScheduled=False with the message, and the nominated node when preempting; an event on each change. */
  private async markUnschedulable(key: ObjectKey, pod: Pod, decision: Exclude<Decision, { node: string }>) {
    const message = decision.unschedulable;
    const nominated =
      decision.preempt?.node ?? (decision.waitingForVictims ? pod.status?.nominatedNodeName : undefined);
    const previous = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (previous?.message === message && pod.status?.nominatedNodeName === nominated && !decision.preempt)
      return;
    const stamp = rfc3339(this.now());
    await this.o.store.mutate(key, (current) => {
      const p = current as Pod;
      if (p.metadata.uid !== pod.metadata.uid || p.spec.nodeName) return undefined;
      const { nominatedNodeName: _, ...status } = p.status ?? {};
      p.status = {
        ...status,
        phase: "Pending",
        ...(nominated ? { nominatedNodeName: nominated } : {}),
        conditions: withCondition(p, {
          type: "PodScheduled",
          status: "False",
          lastProbeTime: null,
          lastTransitionTime: stamp,
          reason: "Unschedulable",
          message,
        }),
      };
      return p;
    });
    await this.o.events.record(key.clusterId, pod, "Warning", "FailedScheduling", message);
  }

  /** Marks each victim as a disruption target, deletes it gracefully and says so, as kube-scheduler does. */
  private async preempt(clusterId: string, pod: Pod, preemption: Preemption): Promise<void> {
    const stamp = this.now();
    for (const victim of preemption.victims) {
      const key = podKey(clusterId, victim);
      const marked = await this.o.store.mutate(key, (current) => {
        const p = current as Pod;
        if (p.metadata.uid !== victim.metadata.uid || p.metadata.deletionTimestamp) return undefined;
        p.status = {
          ...p.status,
          conditions: withCondition(p, {
            type: "DisruptionTarget",
            status: "True",
            lastProbeTime: null,
            lastTransitionTime: rfc3339(stamp),
            reason: "PreemptionByScheduler",
            message: `${SCHEDULER_NAME}: preempting to accommodate a higher priority pod`,
          }),
        };
        return p;
      });
      if (!marked) continue;
      await deletePodGracefully(this.o.store, key, marked, stamp);
      await this.o.events.record(
        clusterId,
        victim,
        "Normal",
        "Preempted",
        `Preempted by pod ${pod.metadata.uid} on node ${preemption.node}`,
      );
    }
  }
}

/** Binds every pod not yet on a node, one at a time so that two pods never take the same room. */
export const schedulerController: Controller = {
  queue: "scheduler",
  concurrency: 1,
  watches: [
    {
      group: "",
      resource: "pods",
      when: (c) => c.type !== "DELETED" && !(c.object as Pod).spec?.nodeName,
    },
  ],
  resync: { every: "period", keys: ({ store }) => store.unscheduledPods() },
  start: (d) => {
    const scheduler = new Scheduler({
      store: d.store,
      nodes: d.nodes,
      events: d.events("default-scheduler"),
    });
    return (ref) => scheduler.reconcile(ref);
  },
};
