import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { Database } from "../../db/client";
import { clusters } from "../../db/schema";
import type { AppEnv } from "../env";
import { markAwake } from "./auth";

/**
 * When each cluster's student last used its Kubernetes API: noted in memory on every request and written
 * to the clusters' rows every few seconds, so a request costs no write (the class view reads it, and the
 * cluster-sleep controller puts a cluster idle for its class's idleBeforeSleep to sleep).
 */
export class Activity {
  private readonly seen = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;

  /** `wake` wakes a cluster found asleep when its activity is written (ClusterRepository.wake). */
  constructor(
    private readonly db: Database,
    private readonly wake: (clusterId: string) => Promise<unknown> = async () => undefined,
  ) {}

  touch(clusterId: string, at: Date): void {
    this.seen.set(clusterId, at);
  }

  async flush(): Promise<void> {
    const batch = [...this.seen];
    this.seen.clear();
    for (const [id, at] of batch) {
      const [row] = await this.db
        .update(clusters)
        .set({ lastActiveAt: at })
        .where(eq(clusters.id, id))
        .returning({ phase: clusters.phase });
      // used while asleep, though its request took it for awake (a token cached here, or the sleep
      // committed as the request came): it wakes now, a few seconds late rather than never
      if (row?.phase === "Sleeping") await this.wake(id);
    }
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }
}

/**
 * Notes the student's request (the platform admin's do not count as the student's activity), and wakes
 * the cluster if it sleeps — any request does, the admin's too — before the request is served: its pods'
 * containers start again meanwhile, on their nodes (workers/controllers/cluster-sleep.ts).
 */
export function recordActivity(): MiddlewareHandler<AppEnv> {
  return async function activity(c, next) {
    const { deps, cluster } = c.var;
    if (cluster.phase === "Sleeping") {
      await deps.clusters.wake(cluster.id);
      markAwake(cluster.id);
      c.set("cluster", { ...cluster, phase: "Active" });
    }
    if (c.var.principal?.kind !== "admin") deps.activity.touch(cluster.id, deps.now());
    await next();
  };
}
