import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { ObjectRef } from "./objects";
import { createLogger, traceCarrier } from "./telemetry";

/** The queue key is the object key (BullMQ forbids `:` in ids): one active and one waiting job per object. */
function jobKey(ref: ObjectRef): string {
  return `${ref.clusterId}/${ref.namespace}/${ref.name}`;
}

/** What a reconcile job carries: the identity of the object to converge, never its content. */
export interface ReconcileJob {
  ref: ObjectRef;
  /** W3C trace context of the request or job that caused this one. */
  trace: Record<string, string>;
}

const log = createLogger("queues");

/** Enqueues reconcile triggers. Losing one is harmless: every reconciler also resyncs periodically. */
export class Triggers {
  private readonly queues = new Map<string, Queue<ReconcileJob>>();
  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
  ) {}

  private queue(name: string): Queue<ReconcileJob> {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue<ReconcileJob>(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: {
          removeOnComplete: true,
          removeOnFail: 1000,
          attempts: 8,
          backoff: { type: "exponential", delay: 200 },
        },
      });
      // Redis away: say so in the logs' format (writes go on; the resync makes up for lost triggers)
      q.on("error", (err) => log.warn("queue unreachable", { queue: name, error: err.message }));
      this.queues.set(name, q);
    }
    return q;
  }

  /** Enqueues a reconcile of `ref`, continuing `trace` (by default the active one). */
  async trigger(queueName: string, ref: ObjectRef, delayMs = 0, trace = traceCarrier()): Promise<void> {
    const id = jobKey(ref);
    await this.queue(queueName).add(
      "reconcile",
      { ref, trace },
      delayMs > 0
        ? { delay: delayMs, deduplication: { id: `delayed/${id}`, ttl: delayMs } }
        : { deduplication: { id, keepLastIfActive: true } },
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
