import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { Database } from "../../db/client";
import { clusters } from "../../db/schema";
import type { AppEnv } from "../env";

/**
 * When each cluster's student last used its Kubernetes API: noted in memory on every request and written
 * to the clusters' rows every few seconds, so a request costs no write (the class view reads it; sleeping
 * idle clusters will).
 */
export class Activity {
  private readonly seen = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database) {}

  touch(clusterId: string, at: Date): void {
    this.seen.set(clusterId, at);
  }

  async flush(): Promise<void> {
    const batch = [...this.seen];
    this.seen.clear();
    for (const [id, at] of batch)
      await this.db.update(clusters).set({ lastActiveAt: at }).where(eq(clusters.id, id));
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

/** Notes the student's request (the platform admin's do not count as the student's activity). */
export function recordActivity(): MiddlewareHandler<AppEnv> {
  return async function activity(c, next) {
    if (c.var.principal?.kind !== "admin") c.var.deps.activity.touch(c.var.cluster.id, c.var.deps.now());
    await next();
  };
}
