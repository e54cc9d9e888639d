import { isTerminal } from "../../core/k8s/pods";
import { cpuMillis, memoryBytes, podRequests } from "../../core/k8s/requests";
import { rfc3339 } from "../../core/k8s/time";
import type { KubeObject, Pod, PodCondition } from "../../core/k8s/types";
import type { ObjectRef, Triggers } from "../../core/queues";
import { isNodeReady, type NodeRepository } from "../../db/nodes";
import type { ObjectKey, ObjectStore } from "../../db/store";
import type { EventRecorder } from "../events";
import type { Result } from "../shell";
import { type NodeCandidate, schedulePod } from "./plan";

const RETRY_UNSCHEDULABLE_MS = 5000;

export interface SchedulerOptions {
  store: ObjectStore;
  nodes: NodeRepository;
  triggers: Triggers;
  events: EventRecorder;
  now?: () => Date;
}

function scheduledCondition(pod: Pod, condition: PodCondition): PodCondition[] {
  const others = (pod.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled");
  return [...others, condition];
}

/** The default scheduler: binds each pending pod to the best feasible node (see plan.ts). */
export class Scheduler {
  private readonly now: () => Date;
  constructor(private readonly o: SchedulerOptions) {
    this.now = o.now ?? (() => new Date());
  }

  private async candidates(): Promise<NodeCandidate[]> {
    const now = this.now();
    const rows = await this.o.nodes.list();
    return Promise.all(
      rows.map(async (row) => {
        const pods = (await this.o.store.podsOnNode(row.name))
          .map((p) => p.pod as Pod)
          .filter((p) => !isTerminal(p));
        const requested = pods
          .map(podRequests)
          .reduce(
            (a, b) => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes }),
            { cpuMillis: 0, memoryBytes: 0 },
          );
        return {
          name: row.name,
          ready: isNodeReady(row, now),
          labels: { "kubernetes.io/hostname": row.name, "kubernetes.io/os": "linux", ...row.labels },
          allocatable: {
            cpuMillis: cpuMillis(row.allocatable.cpu ?? "0"),
            memoryBytes: memoryBytes(row.allocatable.memory ?? "0"),
            pods: Number(row.allocatable.pods ?? 110),
          },
          requested: { ...requested, pods: pods.length },
        };
      }),
    );
  }

  /**
   * The pod's cluster's own view of the nodes (api/kube/nodes.ts): the labels it added and whether it
   * cordoned them. No other cluster's view counts.
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
    if (pod.spec.schedulerName && pod.spec.schedulerName !== "default-scheduler") return {};
    const views = await this.views(ref.clusterId);
    const candidates = (await this.candidates()).map((n) => {
      const view = views.get(n.name);
      if (!view) return n;
      const unschedulable = (view.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;
      return { ...n, labels: { ...n.labels, ...view.metadata.labels }, unschedulable };
    });
    const decision = schedulePod(pod, candidates);
    const stamp = rfc3339(this.now());
    if ("node" in decision) {
      const bound = await this.o.store.mutate(key, (current) => {
        const p = current as Pod;
        if (p.metadata.uid !== pod.metadata.uid || p.spec.nodeName) return undefined;
        p.spec.nodeName = decision.node;
        p.status = {
          ...p.status,
          conditions: scheduledCondition(p, {
            type: "PodScheduled",
            status: "True",
            lastProbeTime: null,
            lastTransitionTime: stamp,
          }),
        };
        return p;
      });
      if (!bound || (bound as Pod).spec.nodeName !== decision.node) return {};
      await Promise.all([
        this.o.triggers.syncPod(decision.node, ref),
        this.o.events.record(
          ref.clusterId,
          bound,
          "Normal",
          "Scheduled",
          `Successfully assigned ${ref.namespace}/${ref.name} to ${decision.node}`,
        ),
      ]);
      return {};
    }
    const message = decision.unschedulable;
    const previous = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (previous?.message !== message) {
      await this.o.store.mutate(key, (current) => {
        const p = current as Pod;
        if (p.metadata.uid !== pod.metadata.uid || p.spec.nodeName) return undefined;
        p.status = {
          ...p.status,
          phase: "Pending",
          conditions: scheduledCondition(p, {
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
      await this.o.events.record(ref.clusterId, pod, "Warning", "FailedScheduling", message);
    }
    return { requeueAfterMs: RETRY_UNSCHEDULABLE_MS };
  }
}
