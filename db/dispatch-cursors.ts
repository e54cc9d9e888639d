import { eq, sql } from "drizzle-orm";
import type { Database } from "./client";
import { changes, clusters, dispatchCursors } from "./schema";

/** How far the dispatcher has read each cluster's change feed. */
export class DispatchCursors {
  constructor(private readonly db: Database) {}

  /** The last resourceVersion of the cluster already dispatched; 0 when none was. */
  async of(clusterId: string): Promise<number> {
    const [row] = await this.db
      .select()
      .from(dispatchCursors)
      .where(eq(dispatchCursors.clusterId, clusterId));
    return row?.resourceVersion ?? 0;
  }

  /** Moves the cluster's cursor forward (never back); a cluster already gone keeps none. */
  async advance(clusterId: string, resourceVersion: number): Promise<void> {
    await this.db.execute(sql`
      insert into ${dispatchCursors} (cluster_id, resource_version)
      select ${clusters.id}, ${resourceVersion} from ${clusters} where ${clusters.id} = ${clusterId}
      on conflict (cluster_id) do update
      set resource_version = greatest(${dispatchCursors.resourceVersion}, excluded.resource_version)`);
  }

  /** Clusters (still there) whose feed holds changes past their cursor. */
  async behind(): Promise<string[]> {
    const rows = (await this.db.execute(sql`
      select f.cluster_id from (
        select ${changes.clusterId} as cluster_id, max(${changes.resourceVersion}) as newest
        from ${changes} group by ${changes.clusterId}
      ) f join ${clusters} c on c.id = f.cluster_id
      left join ${dispatchCursors} d on d.cluster_id = f.cluster_id
      where coalesce(d.resource_version, 0) < f.newest`)) as unknown as { cluster_id: string }[];
    return rows.map((r) => r.cluster_id);
  }
}
