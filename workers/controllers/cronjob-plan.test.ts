import { describe, expect, it } from "vitest";
import type { CronJob, Job } from "../../core/k8s/workloads/types";
import { planCronJob } from "./cronjob-plan";

function cronJob(spec: Partial<CronJob["spec"]> = {}, status?: CronJob["status"]): CronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "tick", namespace: "default", uid: "c1", creationTimestamp: "2026-01-01T10:00:30Z" },
    spec: {
      schedule: "* * * * *",
      concurrencyPolicy: "Allow",
      jobTemplate: { spec: { template: { spec: { containers: [], restartPolicy: "Never" } } } },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

function job(name: string, done?: "Complete" | "Failed", created = "2026-01-01T10:01:00Z"): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, creationTimestamp: created, uid: name },
    spec: { template: { spec: { containers: [] } } },
    status: done
      ? {
          conditions: [{ type: done, status: "True", lastProbeTime: "", lastTransitionTime: "" }],
          completionTime: created,
        }
      : {},
  };
}

describe("planCronJob", () => {
  it("starts the job of the latest tick with a name derived from it, then waits for the next", () => {
    const plan = planCronJob(cronJob(), [], new Date("2026-01-01T10:01:05Z"));
    expect(plan.create?.metadata.name).toBe(`tick-${Date.parse("2026-01-01T10:01:00Z") / 60_000}`);
    expect(plan.create?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: "CronJob",
      uid: "c1",
      controller: true,
    });
    expect(plan.status.lastScheduleTime).toBe("2026-01-01T10:01:00Z");
    expect(plan.requeueAfterMs).toBe(55_100);
  });

  it("does nothing between ticks, or when suspended", () => {
    const seen = cronJob({}, { lastScheduleTime: "2026-01-01T10:01:00Z" });
    expect(planCronJob(seen, [], new Date("2026-01-01T10:01:40Z")).create).toBeUndefined();
    expect(
      planCronJob(cronJob({ suspend: true }), [], new Date("2026-01-01T10:01:05Z")).create,
    ).toBeUndefined();
  });

  it("skips a tick while a job runs under Forbid, and replaces it under Replace", () => {
    const now = new Date("2026-01-01T10:02:05Z");
    const running = [job("tick-1")];
    const last = { lastScheduleTime: "2026-01-01T10:01:00Z" };
    expect(planCronJob(cronJob({ concurrencyPolicy: "Forbid" }, last), running, now).create).toBeUndefined();
    const replace = planCronJob(cronJob({ concurrencyPolicy: "Replace" }, last), running, now);
    expect(replace.remove).toEqual(["tick-1"]);
    expect(replace.create).toBeDefined();
  });

  it("misses a tick older than startingDeadlineSeconds", () => {
    const plan = planCronJob(cronJob({ startingDeadlineSeconds: 10 }), [], new Date("2026-01-01T10:01:30Z"));
    expect(plan.create).toBeUndefined();
    expect(plan.skipped).toMatch(/Missed scheduled time/);
  });

  it("keeps only the history limits of finished jobs", () => {
    const done = [1, 2, 3, 4].map((i) => job(`ok-${i}`, "Complete", `2026-01-01T10:0${i}:00Z`));
    const plan = planCronJob(
      cronJob({ successfulJobsHistoryLimit: 2 }, { lastScheduleTime: "2026-01-01T10:05:00Z" }),
      done,
      new Date("2026-01-01T10:05:10Z"),
    );
    expect(plan.remove).toEqual(["ok-1", "ok-2"]);
    expect(plan.status.lastSuccessfulTime).toBe("2026-01-01T10:04:00Z");
  });
});
