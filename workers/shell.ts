import { type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { METRICS } from "../core/metrics";
import type { ObjectRef } from "../core/objects";
import type { ReconcileJob, Triggers } from "../core/queues";
import { type Logger, withSpan, withTraceCarrier } from "../core/telemetry";

/** What a reconciler returns: done, or look again after a delay. Errors are retried with back-off. */
export interface Result {
  requeueAfterMs?: number;
}

export type Reconcile = (ref: ObjectRef) => Promise<Result>;

export interface ShellOptions {
  queue: string;
  connection: Redis;
  triggers: Triggers;
  reconcile: Reconcile;
  logger: Logger;
  concurrency?: number;
}

/**
 * Runs a reconciler on a BullMQ queue and maps its result in one place, as controller-runtime does:
 * success forgets, `requeueAfterMs` adds a delayed trigger, an error fails the job for BullMQ to retry.
 * Each job continues the trace of whoever triggered it.
 */
export function runReconciler(options: ShellOptions): Worker<ReconcileJob> {
  const { queue, logger, triggers } = options;
  // a per-node queue is `<controller>@<node>`: traces and metrics name the controller
  const [controller = queue] = queue.split("@");

  const reconcile = (job: Job<ReconcileJob>): Promise<"done" | "requeued"> =>
    withTraceCarrier(job.data.trace, () =>
      withSpan(
        `reconcile ${controller}`,
        {
          "messaging.system": "bullmq",
          "messaging.destination.name": queue,
          "timonier.cluster.id": job.data.ref.clusterId,
          "k8s.namespace.name": job.data.ref.namespace,
          "timonier.object.name": job.data.ref.name,
        },
        async () => {
          const result = await options.reconcile(job.data.ref);
          if (result.requeueAfterMs === undefined) return "done";
          await triggers.trigger(queue, job.data.ref, Math.max(1, result.requeueAfterMs));
          return "requeued";
        },
      ),
    );

  const worker = new Worker<ReconcileJob>(
    queue,
    async (job) => {
      const started = Date.now();
      const due = job.timestamp + (job.opts.delay ?? 0);
      METRICS.queueLatency.record(Math.max(0, started - due) / 1000, { "timonier.controller": controller });
      let outcome = "failed";
      try {
        outcome = await reconcile(job);
      } finally {
        METRICS.reconcileDuration.record((Date.now() - started) / 1000, {
          "timonier.controller": controller,
          outcome,
        });
      }
    },
    {
      connection: options.connection,
      prefix: triggers.prefix,
      concurrency: options.concurrency ?? 8,
      // a worker killed mid-job releases it within seconds, not BullMQ's default half minute
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 10,
    },
  );
  worker.on("failed", (job, err) => {
    logger.warn("reconcile failed", { queue, ref: JSON.stringify(job?.data.ref), error: err.message });
  });
  worker.on("error", (err) => logger.error("worker error", { queue, error: err.message }));
  return worker;
}
