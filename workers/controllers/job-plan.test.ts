import { describe, expect, it } from "vitest";
import type { Pod } from "../../core/k8s/types";
import type { Job } from "../../core/k8s/workloads/types";
import { indexRanges, planJob } from "./job-plan";

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

describe("Indexed jobs", () => {
  const at = (phase: "Running" | "Succeeded" | "Failed", index: number): Pod => {
    const p = pod(phase);
    p.metadata.annotations = { "batch.kubernetes.io/job-completion-index": String(index) };
    return p;
  };
  const indexed = (parallelism: number) => job({ completionMode: "Indexed", completions: 4, parallelism });

  it("starts the lowest indexes neither done nor running", () => {
    expect(planJob(indexed(2), [], NOW)).toMatchObject({ create: 2, indexes: [0, 1] });
    expect(planJob(indexed(2), [at("Succeeded", 0), at("Running", 1)], NOW)).toMatchObject({
      create: 1,
      indexes: [2],
    });
  });

  it("counts each index once and completes when every index succeeded", () => {
    const partial = planJob(indexed(4), [at("Succeeded", 0), at("Succeeded", 0), at("Succeeded", 2)], NOW);
    expect(partial.status).toMatchObject({ succeeded: 2, completedIndexes: "0,2" });
    expect(partial.indexes).toEqual([1, 3]);
    const done = planJob(
      indexed(4),
      [0, 1, 2, 3].map((i) => at("Succeeded", i)),
      NOW,
    );
    expect(done.status.completedIndexes).toBe("0-3");
    expect(done.status.conditions?.at(-1)?.type).toBe("Complete");
  });
});

describe("indexRanges", () => {
  it("compacts runs as kube does", () => {
    expect(indexRanges([4, 0, 1, 2, 6, 7])).toBe("0-2,4,6-7");
    expect(indexRanges([])).toBe("");
  });
});

describe("planJob with a podFailurePolicy", () => {
  const exited = (code: number, name = "c") => {
    const p = pod("Failed");
    p.metadata.namespace = "default";
    const status = p.status?.containerStatuses?.[0];
    if (status) {
      status.name = name;
      status.state = { terminated: { exitCode: code, finishedAt: "2026-01-01T00:09:59Z" } };
    }
    return p;
  };
  const policy = {
    rules: [
      {
        action: "FailJob" as const,
        onExitCodes: { containerName: "main", operator: "In" as const, values: [42] },
      },
      { action: "Ignore" as const, onExitCodes: { operator: "In" as const, values: [137] } },
    ],
  };

  it("fails the job at once on a FailJob exit code, naming the container, the pod and the rule", () => {
    const failing = exited(42, "main");
    const plan = planJob(job({ podFailurePolicy: policy }), [failing], NOW);
    expect(plan.status.conditions?.find((c) => c.type === "Failed")).toMatchObject({
      reason: "PodFailurePolicy",
      message: `Container main for pod default/${failing.metadata.name} failed with exit code 42 matching FailJob rule at index 0`,
    });
  });

  it("retries an ignored failure without counting it, and counts the others", () => {
    const ignored = planJob(job({ podFailurePolicy: policy, backoffLimit: 0 }), [exited(137)], NOW);
    expect(ignored.status.failed).toBeUndefined();
    expect(ignored.create).toBe(1);
    const counted = planJob(job({ podFailurePolicy: policy, backoffLimit: 0 }), [exited(1)], NOW);
    expect(counted.status.conditions?.find((c) => c.type === "Failed")?.reason).toBe("BackoffLimitExceeded");
  });
});
