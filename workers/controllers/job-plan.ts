import type { Pod } from "../../core/k8s/types";
import { JOB_INDEX_KEY, type Job, type JobCondition } from "../../core/k8s/workloads/types";
import { failureVerdict } from "./pod-failure-policy";

export interface JobPlan {
  create: number;
  /** Indexed jobs: the completion index of each pod to create (as many as `create`). */
  indexes?: number[];
  /** Active pods to delete: the job finished or failed. */
  remove: string[];
  status: NonNullable<Job["status"]>;
  /** Look again then: back-off expiry, active deadline, TTL. */
  requeueAfterMs?: number;
  /** The job finished longer ago than ttlSecondsAfterFinished: delete it. */
  expired: boolean;
}

const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function finishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
}

function lastFailure(failed: Pod[]): number {
  return failed.reduce((latest, p) => {
    const finished = p.status?.containerStatuses
      ?.map((s) => s.state.terminated?.finishedAt)
      .filter((t): t is string => !!t)
      .map(Date.parse);
    return Math.max(latest, ...(finished ?? [0]));
  }, 0);
}

/**
 * The Job controller's decisions for one pass: run up to `parallelism` pods until `completions` have
 * succeeded, retry failures with exponential back-off until `backoffLimit`, honour activeDeadlineSeconds
 * and ttlSecondsAfterFinished. `pods` are the job's pods. Pure.
 */
function indexOf(pod: Pod): number | undefined {
  const value = pod.metadata.annotations?.[JOB_INDEX_KEY];
  return value === undefined || !/^\d+$/.test(value) ? undefined : Number(value);
}

/** `0-2,4,6-7`: kube's compact form of a set of indexes. */
export function indexRanges(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    out.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(",");
}

export function planJob(job: Job, pods: Pod[], now: Date): JobPlan {
  const succeeded = pods.filter((p) => p.status?.phase === "Succeeded");
  // failures the podFailurePolicy ignores count neither in status nor toward backoffLimit
  const verdicts = pods
    .filter((p) => p.status?.phase === "Failed")
    .map((p) => ({ pod: p, ...failureVerdict(job.spec.podFailurePolicy, p) }));
  const failed = verdicts.filter((v) => v.action !== "Ignore").map((v) => v.pod);
  const fatal = verdicts.find((v) => v.action === "FailJob");
  const active = pods.filter(
    (p) => !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed",
  );
  const ready = active.filter((p) =>
    p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  );
  const previous = job.status ?? {};
  const startTime = previous.startTime ?? stamp(now);
  const completions = job.spec.completions;
  const parallelism = job.spec.parallelism ?? 1;
  const base: NonNullable<Job["status"]> = {
    ...previous,
    startTime,
    active: active.length,
    ready: ready.length,
    ...(succeeded.length ? { succeeded: succeeded.length } : {}),
    ...(failed.length ? { failed: failed.length } : {}),
    terminating: pods.filter((p) => p.metadata.deletionTimestamp).length,
    uncountedTerminatedPods: {},
  };
  if (!succeeded.length) delete base.succeeded;
  if (!failed.length) delete base.failed;
  const indexed = job.spec.completionMode === "Indexed";
  const done = new Set(
    succeeded.map(indexOf).filter((i): i is number => i !== undefined && i < (job.spec.completions ?? 1)),
  );
  if (indexed) {
    base.completedIndexes = indexRanges(done);
    base.succeeded = done.size;
    if (!done.size) delete base.succeeded;
  }

  const finished = finishedCondition(job);
  if (finished) {
    const ttl = job.spec.ttlSecondsAfterFinished;
    const doneAt = Date.parse(finished.lastTransitionTime);
    const expiresIn = ttl === undefined ? undefined : doneAt + ttl * 1000 - now.getTime();
    return {
      create: 0,
      remove: active.map((p) => p.metadata.name ?? ""),
      status: { ...base, active: 0, ready: 0 },
      expired: expiresIn !== undefined && expiresIn <= 0,
      ...(expiresIn !== undefined && expiresIn > 0 ? { requeueAfterMs: expiresIn } : {}),
    };
  }
  const finish = (type: "Complete" | "Failed", reason?: string, message?: string): JobPlan => {
    const condition: JobCondition = {
      type,
      status: "True",
      lastProbeTime: stamp(now),
      lastTransitionTime: stamp(now),
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
    const criteria: JobCondition[] =
      type === "Complete"
        ? [
            {
              ...condition,
              type: "SuccessCriteriaMet",
              reason: "CompletionsReached",
              message: "Reached expected number of succeeded pods",
            },
          ]
        : [{ ...condition, type: "FailureTarget" }];
    return {
      create: 0,
      remove: active.map((p) => p.metadata.name ?? ""),
      status: {
        ...base,
        active: 0,
        ready: 0,
        ...(type === "Complete" ? { completionTime: stamp(now) } : {}),
        conditions: [...(previous.conditions ?? []), ...criteria, condition],
      },
      expired: false,
      ...(job.spec.ttlSecondsAfterFinished !== undefined
        ? { requeueAfterMs: job.spec.ttlSecondsAfterFinished * 1000 }
        : {}),
    };
  };

  if (fatal) return finish("Failed", "PodFailurePolicy", fatal.message);
  const deadline = job.spec.activeDeadlineSeconds;
  if (deadline !== undefined && now.getTime() - Date.parse(startTime) >= deadline * 1000) {
    return finish("Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
  }
  if (failed.length > (job.spec.backoffLimit ?? 6)) {
    return finish("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
  }
  const target = completions ?? 1;
  if (
    (indexed ? done.size : succeeded.length) >= target ||
    (completions === undefined && succeeded.length > 0 && active.length === 0)
  ) {
    return finish("Complete", "CompletionsReached", "Reached expected number of succeeded pods");
  }
  if (job.spec.suspend) {
    return { create: 0, remove: active.map((p) => p.metadata.name ?? ""), status: base, expired: false };
  }
  const remaining = target - (indexed ? done.size : succeeded.length);
  const wanted = Math.min(parallelism, completions === undefined ? parallelism : remaining);
  let create = Math.max(0, wanted - active.length);
  let requeueAfterMs: number | undefined;
  if (create > 0 && failed.length > 0) {
    const delay = Math.min(BACKOFF_BASE_MS * 2 ** (failed.length - 1), BACKOFF_MAX_MS);
    const wait = lastFailure(failed) + delay - now.getTime();
    if (wait > 0) {
      create = 0;
      requeueAfterMs = wait;
    }
  }
  if (deadline !== undefined) {
    const left = Date.parse(startTime) + deadline * 1000 - now.getTime();
    requeueAfterMs = Math.min(requeueAfterMs ?? left, left);
  }
  let indexes: number[] | undefined;
  if (indexed) {
    // the lowest indexes neither done nor running
    const running = new Set(active.map(indexOf));
    indexes = [];
    for (let i = 0; i < target && indexes.length < create; i++)
      if (!done.has(i) && !running.has(i)) indexes.push(i);
    create = indexes.length;
  }
  return {
    create,
    ...(indexes ? { indexes } : {}),
    remove: [],
    status: base,
    expired: false,
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
  };
}
