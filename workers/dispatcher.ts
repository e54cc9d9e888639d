import type postgres from "postgres";
import type { ObjectRef } from "../core/objects";
import type { Logger } from "../core/telemetry";
import type { DispatchCursors } from "../db/dispatch-cursors";
import { CHANGES_CHANNEL, type Change, type ObjectStore } from "../db/store";
import type { Controller } from "./controller";
import { type Trigger, triggerKey, triggersFor } from "./dispatch";

/** Where triggers go: the queues (core/queues.ts `Triggers`). */
export interface TriggerSink {
  trigger(queue: string, ref: ObjectRef, delayMs?: number, trace?: Record<string, string>): Promise<void>;
}

export interface DispatcherOptions {
  /**
   * A client of its own with one pooled connection, whose session holds the leader lock, and the LISTEN
   * connection postgres.js keeps beside it.
   */
  sql: postgres.Sql;
  store: Pick<ObjectStore, "changesSince">;
  cursors: DispatchCursors;
  sink: TriggerSink;
  controllers: readonly Controller<never>[];
  logger: Logger;
  /** How often the leader looks for feeds its notifications missed, and a follower for the lock. */
  catchUpMs: number;
}

const BATCH = 500;
const RETRY_MS = 1_000;
/** One dispatcher at a time on the whole platform: the session lock of this key. */
const LEADER_LOCK = 7262;

/**
 * Wakes reconcilers from the change feed, as an informer feeds controller-runtime's work queues: each
 * committed change, read in resourceVersion order per cluster, is matched against the controllers'
 * declarations and enqueued with the trace of the write. A cursor per cluster is stored once the triggers
 * are queued, so a restart resumes where the last one stopped (at least once), and a cluster's commit
 * landing after another cluster's newer one is still seen. While Redis is down the enqueue waits and the
 * cursor stays: the backlog drains when it returns. Only the replica holding the leader lock dispatches.
 */
export class ChangeDispatcher {
  private readonly dirty = new Set<string>();
  private readonly draining = new Map<string, Promise<void>>();
  private leader = false;
  private unlisten: (() => Promise<void>)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: DispatcherOptions) {}

  async start(): Promise<void> {
    const feed = await this.o.sql.listen(
      CHANGES_CHANNEL,
      (clusterId) => this.wake(clusterId),
      // (re)connected: whatever was committed while nobody listened is behind its cursor
      () => void this.catchUp(),
    );
    this.unlisten.push(feed.unlisten);
    for (const controller of this.o.controllers) {
      const notified = controller.notified;
      if (!notified) continue;
      const channel = await this.o.sql.listen(notified.channel, (payload) => {
        if (this.leader) void this.enqueue(controller.queue, notified.ref(payload));
      });
      this.unlisten.push(channel.unlisten);
    }
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.o.catchUpMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.unlisten.map((u) => u().catch(() => undefined)));
    // a drain waiting on Redis does not hold the stop: its cursor stays, the next leader redoes it
    await Promise.race([Promise.all(this.draining.values()), new Promise((r) => setTimeout(r, 2_000))]);
    if (this.leader) await this.o.sql`select pg_advisory_unlock_all()`.catch(() => undefined);
    this.leader = false;
  }

  /**
   * Takes the leader lock, or checks it is still held, then looks for clusters left behind. The session
   * lock is asked for again each time rather than pinned on a reserved connection: if the connection was
   * replaced, the new session takes the lock only if no other replica has it meanwhile.
   */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    const was = this.leader;
    try {
      const [row] = await this.o.sql`select pg_try_advisory_lock(${LEADER_LOCK}) as locked`;
      this.leader = Boolean(row?.locked);
    } catch (err) {
      this.leader = false;
      this.o.logger.warn("dispatcher cannot reach its leader lock", { error: (err as Error).message });
    }
    if (this.leader && !was) this.o.logger.info("dispatching the change feed");
    if (!this.leader && was) this.o.logger.warn("dispatcher lost its leader lock");
    await this.catchUp();
  }

  private async catchUp(): Promise<void> {
    if (!this.leader || this.stopped) return;
    try {
      for (const clusterId of await this.o.cursors.behind()) this.wake(clusterId);
    } catch (err) {
      this.o.logger.warn("change feed catch-up failed", { error: (err as Error).message });
    }
  }

  private wake(clusterId: string): void {
    if (!this.leader || this.stopped) return;
    this.dirty.add(clusterId);
    if (this.draining.has(clusterId)) return;
    const run = this.drain(clusterId).finally(() => this.draining.delete(clusterId));
    this.draining.set(clusterId, run);
  }

  /** Dispatches a cluster's changes past its cursor, oldest first, until none are left. */
  private async drain(clusterId: string): Promise<void> {
    while (this.dirty.delete(clusterId) && !this.stopped) {
      try {
        let cursor = await this.o.cursors.of(clusterId);
        for (;;) {
          const batch = await this.o.store.changesSince(clusterId, cursor, BATCH);
          await Promise.all(
            [...this.triggersOf(batch).values()].map((t) => this.o.sink.trigger(t.queue, t.ref, 0, t.trace)),
          );
          const last = batch.at(-1);
          if (!last) break;
          cursor = last.resourceVersion;
          await this.o.cursors.advance(clusterId, cursor);
          if (batch.length < BATCH) break;
        }
      } catch (err) {
        this.o.logger.warn("change dispatch failed", { clusterId, error: (err as Error).message });
        await new Promise((r) => setTimeout(r, RETRY_MS));
        this.dirty.add(clusterId);
      }
    }
  }

  /** A batch's triggers, each once, carrying the trace of the latest change that asked for it. */
  private triggersOf(batch: Change[]): Map<string, Trigger & { trace?: Record<string, string> }> {
    const out = new Map<string, Trigger & { trace?: Record<string, string> }>();
    for (const change of batch) {
      for (const t of triggersFor(this.o.controllers, change))
        out.set(triggerKey(t), { ...t, ...(change.trace ? { trace: change.trace } : {}) });
    }
    return out;
  }

  private async enqueue(queue: string, ref: ObjectRef): Promise<void> {
    await this.o.sink
      .trigger(queue, ref)
      .catch((err: Error) => this.o.logger.warn("trigger failed", { queue, error: err.message }));
  }
}
