import { controllerRef } from "../../core/k8s/owners";
import { lastTickBetween, nextTick } from "../../core/k8s/workloads/schedule";
import type { CronJob, Job } from "../../core/k8s/workloads/types";

export interface CronJobPlan {
  /** A Job to create for this tick; its name is derived from the tick, so replicas never double it. */
  create?: Job;
  /** Jobs to delete: replaced ones (concurrencyPolicy Replace) and finished ones beyond the history limits. */
  remove: string[];
  status: NonNullable<CronJob["status"]>;
  /** Milliseconds until the next tick. */
  requeueAfterMs: number;
  /** A tick was skipped: its reason for the event. */
  skipped?: string;
}

function finished(job: Job): "Complete" | "Failed" | undefined {
  const c = job.status?.conditions?.find(
    (x) => (x.type === "Complete" || x.type === "Failed") && x.status === "True",
  );
  return c?.type as "Complete" | "Failed" | undefined;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The CronJob controller's decisions: the latest tick since the last scheduled one (within
 * startingDeadlineSeconds) starts a Job unless the concurrency policy says otherwise; old finished Jobs
 * are pruned. `jobs` are the Jobs it owns. Pure.
 */
export function planCronJob(cj: CronJob, jobs: Job[], now: Date): CronJobPlan {
  const { schedule, timeZone } = cj.spec;
  const since = new Date(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? now.toISOString());
  const tick = lastTickBetween(schedule, timeZone, since, now);
  const active = jobs.filter((j) => !finished(j));
  const remove: string[] = [];
  let create: Job | undefined;
  let skipped: string | undefined;
  let lastScheduleTime = cj.status?.lastScheduleTime;
  const late =
    tick &&
    cj.spec.startingDeadlineSeconds !== undefined &&
    now.getTime() - tick.getTime() > cj.spec.startingDeadlineSeconds * 1000;
  if (tick && !cj.spec.suspend && !late) {
    if (cj.spec.concurrencyPolicy === "Forbid" && active.length > 0) {
      skipped = "Not starting job because prior execution is still running and concurrency policy is Forbid";
    } else {
      if (cj.spec.concurrencyPolicy === "Replace") remove.push(...active.map((j) => j.metadata.name ?? ""));
      const name = `${cj.metadata.name}-${Math.floor(tick.getTime() / 60_000)}`;
      create = {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
          name,
          namespace: cj.metadata.namespace,
          labels: { ...cj.spec.jobTemplate.metadata?.labels },
          annotations: {
            ...cj.spec.jobTemplate.metadata?.annotations,
            "batch.kubernetes.io/cronjob-scheduled-timestamp": stamp(tick),
          },
          ownerReferences: [controllerRef(cj)],
        },
        spec: structuredClone(cj.spec.jobTemplate.spec),
      };
      lastScheduleTime = stamp(tick);
    }
  } else if (tick && late) {
    skipped = "Missed scheduled time to start a job";
    lastScheduleTime = stamp(tick);
  }
  for (const [kind, limit] of [
    ["Complete", cj.spec.successfulJobsHistoryLimit ?? 3],
    ["Failed", cj.spec.failedJobsHistoryLimit ?? 1],
  ] as const) {
    const done = jobs
      .filter((j) => finished(j) === kind)
      .sort(
        (a, b) =>
          Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? ""),
      );
    remove.push(...done.slice(0, Math.max(0, done.length - limit)).map((j) => j.metadata.name ?? ""));
  }
  const succeeded = jobs
    .filter((j) => finished(j) === "Complete")
    .map((j) => j.status?.completionTime ?? "")
    .sort();
  const lastSuccessfulTime = succeeded.at(-1) || cj.status?.lastSuccessfulTime;
  const stillActive = active.filter((j) => !remove.includes(j.metadata.name ?? ""));
  return {
    ...(create ? { create } : {}),
    remove,
    ...(skipped ? { skipped } : {}),
    status: {
      ...(stillActive.length
        ? {
            active: stillActive.map((j) => ({
              apiVersion: "batch/v1",
              kind: "Job",
              name: j.metadata.name ?? "",
              namespace: j.metadata.namespace ?? "",
              uid: j.metadata.uid ?? "",
            })),
          }
        : {}),
      ...(lastScheduleTime ? { lastScheduleTime } : {}),
      ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
    },
    requeueAfterMs: Math.max(1000, nextTick(schedule, timeZone, now).getTime() - now.getTime() + 100),
  };
}
