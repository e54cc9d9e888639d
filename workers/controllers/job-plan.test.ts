import { describe, expect, it } from "vitest";
import type { Pod } from "../../core/k8s/types";
import type { Job } from "../../core/k8s/workloads/types";
import { planJob } from "./job-plan";

const NOW = new Date("2026-01-01T00:10:00Z");

function job(spec: Partial<Job["spec"]> = {}, status?: Job["status"]): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "pi", uid: "j1" },
    spec: {
      completions: 2,
      parallelism: 1,
      backoffLimit: 6,
      template: { spec: { containers: [] } },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

function pod(phase: "Running" | "Succeeded" | "Failed", finishedAt = "2026-01-01T00:09:59Z"): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `p-${phase}-${Math.random()}` },
    spec: { containers: [] },
    status: {
      phase,
      containerStatuses:
        phase === "Running"
          ? []
          : [
              {
                name: "c",
                image: "",
                imageID: "",
                ready: false,
                restartCount: 0,
                lastState: {},
                state: { terminated: { exitCode: phase === "Failed" ? 1 : 0, finishedAt } },
              },
            ],
    },
  };
}

describe("planJob", () => {
  it("starts pods up to parallelism", () => {
    expect(planJob(job({ parallelism: 3, completions: 5 }), [], NOW).create).toBe(3);
    expect(planJob(job(), [pod("Running")], NOW).create).toBe(0);
  });

  it("runs the next completion after a success, and completes at `completions`", () => {
    expect(planJob(job(), [pod("Succeeded")], NOW).create).toBe(1);
    const done = planJob(job(), [pod("Succeeded"), pod("Succeeded")], NOW);
    expect(done.status.conditions?.find((c) => c.type === "Complete")).toMatchObject({ status: "True" });
    expect(done.status.completionTime).toBe("2026-01-01T00:10:00Z");
    expect(done.status.succeeded).toBe(2);
  });

  it("backs off exponentially after failures", () => {
    const plan = planJob(
      job(),
      [pod("Failed", "2026-01-01T00:09:55Z"), pod("Failed", "2026-01-01T00:09:58Z")],
      NOW,
    );
    expect(plan.create).toBe(0);
    expect(plan.requeueAfterMs).toBe(18_000);
  });

  it("fails once failures exceed backoffLimit, or the deadline passes", () => {
    const failed = planJob(job({ backoffLimit: 1 }), [pod("Failed"), pod("Failed")], NOW);
    expect(failed.status.conditions?.at(-1)).toMatchObject({
      type: "Failed",
      reason: "BackoffLimitExceeded",
    });
    const late = planJob(
      job({ activeDeadlineSeconds: 60 }, { startTime: "2026-01-01T00:00:00Z" }),
      [pod("Running")],
      NOW,
    );
    expect(late.status.conditions?.at(-1)).toMatchObject({ type: "Failed", reason: "DeadlineExceeded" });
    expect(late.remove).toHaveLength(1);
  });

  it("expires a finished job after ttlSecondsAfterFinished", () => {
    const finished = job(
      { ttlSecondsAfterFinished: 30 },
      {
        conditions: [
          { type: "Complete", status: "True", lastProbeTime: "", lastTransitionTime: "2026-01-01T00:09:00Z" },
        ],
      },
    );
    expect(planJob(finished, [], NOW).expired).toBe(true);
  });
});
