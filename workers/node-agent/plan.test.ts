import { describe, expect, it } from "vitest";
import type { Pod } from "../../core/k8s/types";
import { backoffMs, containerHash, planPodSync, planSleep } from "./plan";
import type { ObservedContainer, ObservedPod } from "./runtime";

const NOW = new Date("2026-01-01T00:10:00Z");
const NONE = new Set<string>();

function pod(over: Partial<Pod["spec"]> = {}, meta: Partial<Pod["metadata"]> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", uid: "u1", ...meta },
    spec: { containers: [{ name: "app", image: "nginx" }], ...over },
    status: { phase: "Pending" },
  };
}

function container(over: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: "c0",
    name: "app",
    attempt: 0,
    hash: containerHash({ name: "app", image: "nginx" }),
    image: "nginx",
    imageId: "sha",
    state: "running",
    exitCode: 0,
    oomKilled: false,
    ...over,
  };
}

function observed(
  containers: ObservedContainer[],
  sandbox: Partial<ObservedContainer> | null = {},
): ObservedPod {
  return {
    pod: { clusterId: "c", namespace: "default", name: "web", uid: "u1" },
    sandboxes: sandbox ? [container({ id: "s0", name: "POD", ...sandbox })] : [],
    containers,
  };
}

describe("planPodSync", () => {
  it("creates the sandbox then the containers of a new pod", () => {
    expect(planPodSync(pod(), undefined, NONE, NOW).actions).toEqual([
      { kind: "runSandbox", attempt: 0 },
      { kind: "runContainer", name: "app", attempt: 0 },
    ]);
  });

  it("runs an ephemeral container once in a running pod, and never again", () => {
    const debugged = pod({ ephemeralContainers: [{ name: "dbg", image: "busybox" }] });
    expect(planPodSync(debugged, observed([container()]), NONE, NOW).actions).toEqual([
      { kind: "runContainer", name: "dbg", attempt: 0 },
    ]);
    const done = container({ id: "e0", name: "dbg", state: "exited", exitCode: 1 });
    expect(planPodSync(debugged, observed([container(), done]), NONE, NOW).actions).toEqual([]);
    // not before the pod's sandbox runs
    expect(planPodSync(debugged, undefined, NONE, NOW).actions).not.toContainEqual(
      expect.objectContaining({ name: "dbg" }),
    );
  });

  it("does nothing for a pod that runs", () => {
    expect(planPodSync(pod(), observed([container()]), NONE, NOW)).toEqual({ actions: [] });
  });

  it("restarts an exited container under restartPolicy Always, first without back-off", () => {
    const exited = container({ state: "exited", exitCode: 1, finishedAt: "2026-01-01T00:09:59Z" });
    expect(planPodSync(pod(), observed([exited]), NONE, NOW).actions).toEqual([
      { kind: "runContainer", name: "app", attempt: 1 },
    ]);
  });

  it("replaces a running container whose spec changed, such as a new image", () => {
    const plan = planPodSync(
      pod({ containers: [{ name: "app", image: "nginx:2" }] }),
      observed([container()]),
      NONE,
      NOW,
    );
    expect(plan.actions).toEqual([
      { kind: "stop", id: "c0", graceSeconds: 30 },
      { kind: "runContainer", name: "app", attempt: 1 },
    ]);
  });

  it("holds a crash-looping container back with doubling back-off and asks to look again", () => {
    const exited = container({
      attempt: 2,
      state: "exited",
      exitCode: 1,
      startedAt: "2026-01-01T00:09:50Z",
      finishedAt: "2026-01-01T00:09:55Z",
    });
    const plan = planPodSync(pod(), observed([exited]), NONE, NOW);
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAfterMs).toBe(15_000);
  });

  it("honours restartPolicy Never and OnFailure", () => {
    const failed = container({ state: "exited", exitCode: 2, finishedAt: "2026-01-01T00:00:00Z" });
    const succeeded = container({ state: "exited", exitCode: 0, finishedAt: "2026-01-01T00:00:00Z" });
    expect(planPodSync(pod({ restartPolicy: "Never" }), observed([failed]), NONE, NOW).actions).toEqual([]);
    expect(
      planPodSync(pod({ restartPolicy: "OnFailure" }), observed([succeeded]), NONE, NOW).actions,
    ).toEqual([]);
    expect(planPodSync(pod({ restartPolicy: "OnFailure" }), observed([failed]), NONE, NOW).actions).toEqual([
      { kind: "runContainer", name: "app", attempt: 1 },
    ]);
  });

  it("waits for a missing image instead of creating anything", () => {
    const plan = planPodSync(pod(), undefined, new Set(["nginx"]), NOW);
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAfterMs).toBeGreaterThan(0);
  });

  it("tears down a pod being deleted, and deletes the object last", () => {
    const deleting = pod({}, { deletionTimestamp: "2026-01-01T00:10:05Z" });
    expect(planPodSync(deleting, observed([container()]), NONE, NOW).actions).toEqual([
      { kind: "stop", id: "c0", graceSeconds: 5 },
      { kind: "stop", id: "s0", graceSeconds: 0 },
      { kind: "remove", id: "c0" },
      { kind: "remove", id: "s0" },
      { kind: "deletePod" },
    ]);
  });

  it("removes the containers of a pod that no longer exists", () => {
    expect(
      planPodSync(undefined, observed([container({ state: "exited" })], { state: "exited" }), NONE, NOW)
        .actions,
    ).toEqual([
      { kind: "remove", id: "c0" },
      { kind: "remove", id: "s0" },
    ]);
  });

  it("recreates the sandbox when it died, with the containers in it", () => {
    const plan = planPodSync(
      pod(),
      observed([container({ state: "exited", exitCode: 137 })], { state: "exited" }),
      NONE,
      NOW,
    );
    expect(plan.actions).toEqual([
      { kind: "runSandbox", attempt: 1 },
      { kind: "runContainer", name: "app", attempt: 1 },
    ]);
  });
});

describe("init containers", () => {
  const withInit = (restartPolicy: "Always" | "Never" = "Always") =>
    pod({ restartPolicy, initContainers: [{ name: "init", image: "busybox" }] });
  const init = (over: Partial<ObservedContainer>) => container({ id: "i0", name: "init", hash: "", ...over });

  it("runs the init container first, alone", () => {
    expect(planPodSync(withInit(), undefined, NONE, NOW).actions).toEqual([
      { kind: "runSandbox", attempt: 0 },
      { kind: "runContainer", name: "init", attempt: 0 },
    ]);
    expect(planPodSync(withInit(), observed([init({ state: "running" })]), NONE, NOW).actions).toEqual([]);
  });

  it("starts the app containers once every init container succeeded", () => {
    const done = init({ state: "exited", exitCode: 0, finishedAt: "2026-01-01T00:09:00Z" });
    expect(planPodSync(withInit(), observed([done]), NONE, NOW).actions).toEqual([
      { kind: "runContainer", name: "app", attempt: 0 },
    ]);
  });

  it("retries a failed init container, except under restartPolicy Never", () => {
    const failed = init({ state: "exited", exitCode: 1, finishedAt: "2026-01-01T00:00:00Z" });
    expect(planPodSync(withInit(), observed([failed]), NONE, NOW).actions).toEqual([
      { kind: "runContainer", name: "init", attempt: 1 },
    ]);
    expect(planPodSync(withInit("Never"), observed([failed]), NONE, NOW).actions).toEqual([]);
  });
});

describe("backoffMs", () => {
  it("doubles from 10 s up to 5 min and resets after 10 min of running", () => {
    const at = (attempt: number, ranMs = 1000) =>
      backoffMs(
        container({
          attempt,
          state: "exited",
          startedAt: new Date(0).toISOString(),
          finishedAt: new Date(ranMs).toISOString(),
        }),
      );
    expect([0, 1, 2, 3, 6, 10].map((a) => at(a))).toEqual([0, 10_000, 20_000, 40_000, 300_000, 300_000]);
    expect(at(5, 11 * 60_000)).toBe(0);
  });
});

describe("planSleep", () => {
  it("stops what runs within a capped grace, then removes every container and the sandbox", () => {
    const old = container({ id: "c-old", state: "exited", exitCode: 1 });
    expect(planSleep(pod(), observed([container(), old]))).toEqual([
      { kind: "stop", id: "c0", graceSeconds: 10 },
      { kind: "stop", id: "s0", graceSeconds: 0 },
      { kind: "remove", id: "c0" },
      { kind: "remove", id: "c-old" },
      { kind: "remove", id: "s0" },
    ]);
    expect(planSleep(pod({ terminationGracePeriodSeconds: 2 }), observed([container()]))[0]).toEqual({
      kind: "stop",
      id: "c0",
      graceSeconds: 2,
    });
  });

  it("has nothing to do for a pod already asleep, and never deletes the pod", () => {
    expect(planSleep(pod(), undefined)).toEqual([]);
    expect(planSleep(pod(), observed([container()])).some((a) => a.kind === "deletePod")).toBe(false);
  });
});
