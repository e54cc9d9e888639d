import type { HorizontalPodAutoscaler } from "../../core/k8s/autoscaling/types";
import { cpuMillis } from "../../core/k8s/requests";
import type { Pod } from "../../core/k8s/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import type { MetricsRepository } from "../../db/metrics";
import type { ObjectStore } from "../../db/store";
import { kindController } from "../controller";
import type { EventRecorder } from "../events";
import type { Result } from "../shell";
import { type PodCpu, planHpa } from "./hpa-plan";
import { writeStatus } from "./write-status";
import { controllerWrites } from "./writes";

/** The kinds an HPA can scale, and where they are stored. */
const SCALABLE: Record<string, { group: string; resource: string }> = {
  Deployment: { group: "apps", resource: "deployments" },
  ReplicaSet: { group: "apps", resource: "replicasets" },
  StatefulSet: { group: "apps", resource: "statefulsets" },
};

const isReady = (p: Pod) =>
  p.status?.phase === "Running" &&
  !p.metadata.deletionTimestamp &&
  (p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false);

/**
 * The HorizontalPodAutoscaler controller: every sync period, the ready pods' CPU (from the node agents'
 * samples) against their requests decides the target's replicas through its scale (spec.replicas).
 */
export class HpaController {
  constructor(
    private readonly store: ObjectStore,
    private readonly metrics: MetricsRepository,
    private readonly events: EventRecorder,
    private readonly syncMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const key: ObjectKey = { ...ref, group: "autoscaling", resource: "horizontalpodautoscalers" };
    const hpa = (await this.store.get(key)) as HorizontalPodAutoscaler | undefined;
    if (!hpa) return {};
    const kind = SCALABLE[hpa.spec.scaleTargetRef.kind];
    const targetKey = kind ? { ...ref, ...kind, name: hpa.spec.scaleTargetRef.name } : undefined;
    const target = targetKey ? await this.store.get(targetKey) : undefined;
    if (!target || !targetKey) return { requeueAfterMs: this.syncMs };
    const spec = target.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
    const selector = spec.selector?.matchLabels ?? {};
    const [{ items }, rows] = await Promise.all([
      this.store.list({ clusterId: ref.clusterId, group: "", resource: "pods", namespace: ref.namespace }),
      this.metrics.ofCluster(ref.clusterId, ref.namespace),
    ]);
    const pods = (items as Pod[]).filter(
      (p) => isReady(p) && Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
    );
    const cpu: PodCpu[] = [];
    for (const pod of pods) {
      const mine = rows.filter((r) => r.pod === pod.metadata.name);
      if (mine.length === 0) continue;
      cpu.push({
        usageMillis: mine.reduce((n, r) => n + r.cpuNanoCores, 0) / 1e6,
        requestMillis: pod.spec.containers.reduce(
          (n, c) => n + cpuMillis(c.resources?.requests?.cpu ?? "0"),
          0,
        ),
      });
    }
    const plan = planHpa(hpa, spec.replicas ?? 1, cpu, this.now());
    if (plan.scaleTo !== undefined) {
      const size = plan.scaleTo;
      await controllerWrites(this.store, this.now).mutate(targetKey, (obj) => {
        (obj.spec as { replicas?: number }).replicas = size;
        return obj;
      });
      await this.events.record(
        ref.clusterId,
        hpa,
        "Normal",
        "SuccessfulRescale",
        `New size: ${size}; reason: ${plan.reason}`,
      );
    }
    await writeStatus(this.store, key, hpa.metadata.uid ?? "", plan.status);
    return { requeueAfterMs: this.syncMs };
  }
}

export const hpaController = kindController({
  queue: "horizontal-pod-autoscaler",
  group: "autoscaling",
  resource: "horizontalpodautoscalers",
  start: (d) => {
    const controller = new HpaController(
      d.store,
      d.metrics,
      d.events("horizontal-pod-autoscaler"),
      d.config.metricsSeconds * 1000,
    );
    return (ref) => controller.reconcile(ref);
  },
});
