import type { ContainerSample, MetricsRepository } from "../../db/metrics";
import { instancesOf, latest } from "./plan";
import type { PodRuntime } from "./runtime";

/**
 * The kubelet's resource metrics: every interval, the CPU and memory of each running app container on this
 * node, for metrics.k8s.io (`kubectl top`) and the HorizontalPodAutoscaler.
 */
export class MetricsSampler {
  constructor(
    private readonly runtime: PodRuntime,
    private readonly metrics: MetricsRepository,
    private readonly nodeName: string,
  ) {}

  async sample(now: Date): Promise<void> {
    const pods = await this.runtime.listPods();
    const samples: ContainerSample[] = [];
    await Promise.all(
      [...pods.values()].flatMap((observed) => {
        const names = new Set(observed.containers.map((c) => c.name));
        return [...names].map(async (name) => {
          const current = latest(instancesOf(observed, name));
          if (current?.state !== "running") return;
          const usage = await this.runtime.usage(current.id);
          if (!usage) return;
          samples.push({
            clusterId: observed.pod.clusterId,
            namespace: observed.pod.namespace,
            pod: observed.pod.name,
            container: name,
            ...usage,
          });
        });
      }),
    );
    await this.metrics.record(this.nodeName, samples, now);
  }
}
