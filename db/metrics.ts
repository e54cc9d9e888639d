import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "./client";
import { containerMetrics } from "./schema";

export interface ContainerSample {
  clusterId: string;
  namespace: string;
  pod: string;
  container: string;
  cpuNanoCores: number;
  memoryBytes: number;
}

export type MetricsRow = typeof containerMetrics.$inferSelect;

/** What the node agents measured last, for metrics.k8s.io and the autoscaler. */
export class MetricsRepository {
  constructor(private readonly db: Database) {}

  /** Replaces a node's samples with these: containers gone since stop being reported. */
  async record(nodeName: string, samples: ContainerSample[], at: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .delete(containerMetrics)
        .where(and(eq(containerMetrics.nodeName, nodeName), lt(containerMetrics.sampledAt, at)));
      if (samples.length === 0) return;
      await tx
        .insert(containerMetrics)
        .values(samples.map((s) => ({ ...s, nodeName, sampledAt: at })))
        .onConflictDoUpdate({
          target: [
            containerMetrics.clusterId,
            containerMetrics.namespace,
            containerMetrics.pod,
            containerMetrics.container,
          ],
          set: {
            nodeName,
            cpuNanoCores: sql`excluded.cpu_nano_cores`,
            memoryBytes: sql`excluded.memory_bytes`,
            sampledAt: at,
          },
        });
    });
  }

  async ofCluster(clusterId: string, namespace?: string): Promise<MetricsRow[]> {
    return this.db
      .select()
      .from(containerMetrics)
      .where(
        and(
          eq(containerMetrics.clusterId, clusterId),
          namespace ? eq(containerMetrics.namespace, namespace) : undefined,
        ),
      );
  }

  /** Everything measured on these nodes, whichever cluster: a node's usage is all of its containers'. */
  async ofNodes(nodeNames: string[]): Promise<MetricsRow[]> {
    if (nodeNames.length === 0) return [];
    return this.db.select().from(containerMetrics).where(inArray(containerMetrics.nodeName, nodeNames));
  }
}
