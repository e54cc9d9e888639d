import type { KubeObject } from "../../core/k8s/types";
import type { MetricsRow } from "../../db/metrics";
import type { ApiDeps } from "../env";
import { nodeObjects } from "./nodes";

const GROUP_VERSION = "metrics.k8s.io/v1beta1";

function usage(rows: MetricsRow[]) {
  const cpu = rows.reduce((n, r) => n + r.cpuNanoCores, 0);
  const memory = rows.reduce((n, r) => n + r.memoryBytes, 0);
  return { cpu: `${cpu}n`, memory: `${Math.ceil(memory / 1024)}Ki` };
}

const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** PodMetrics as metrics-server serves them: the pods of this cluster that have samples, with their labels. */
export async function podMetrics(
  deps: ApiDeps,
  clusterId: string,
  namespace: string | undefined,
): Promise<KubeObject[]> {
  const [rows, pods] = await Promise.all([
    deps.metrics.ofCluster(clusterId, namespace),
    deps.store.list({ clusterId, group: "", resource: "pods", ...(namespace ? { namespace } : {}) }),
  ]);
  const window = `${deps.config.metricsSeconds}s`;
  const out: KubeObject[] = [];
  for (const pod of pods.items) {
    const mine = rows.filter((r) => r.namespace === pod.metadata.namespace && r.pod === pod.metadata.name);
    if (mine.length === 0) continue;
    const sampledAt = new Date(Math.max(...mine.map((r) => r.sampledAt.getTime())));
    out.push({
      apiVersion: GROUP_VERSION,
      kind: "PodMetrics",
      metadata: {
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        creationTimestamp: stamp(deps.now()),
        ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
      },
      timestamp: stamp(sampledAt),
      window,
      containers: mine.map((r) => ({ name: r.container, usage: usage([r]) })),
    });
  }
  return out;
}

/** NodeMetrics: a node's usage is that of every container on it, whichever cluster it belongs to. */
export async function nodeMetrics(deps: ApiDeps, clusterId: string): Promise<KubeObject[]> {
  const nodes = await nodeObjects(deps, clusterId);
  const rows = await deps.metrics.ofNodes(nodes.map((n) => n.metadata.name ?? ""));
  return nodes.map((node) => {
    const mine = rows.filter((r) => r.nodeName === node.metadata.name);
    const sampledAt = mine.length
      ? new Date(Math.max(...mine.map((r) => r.sampledAt.getTime())))
      : deps.now();
    return {
      apiVersion: GROUP_VERSION,
      kind: "NodeMetrics",
      metadata: {
        name: node.metadata.name,
        creationTimestamp: stamp(deps.now()),
        ...(node.metadata.labels ? { labels: node.metadata.labels } : {}),
      },
      timestamp: stamp(sampledAt),
      window: `${deps.config.metricsSeconds}s`,
      usage: usage(mine),
    };
  });
}
