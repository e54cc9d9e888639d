import { describe, expect, it } from "vitest";
import type { Pod, PodStatus } from "../../core/k8s/types";
import { sameStatus, waitingWarnings } from "./pod-status";

const waiting = (name: string, reason: string, message?: string) => ({
  name,
  ready: false,
  restartCount: 0,
  image: "nginx",
  imageID: "",
  lastState: {},
  state: { waiting: { reason, ...(message ? { message } : {}) } },
});

function pod(status: PodStatus): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", uid: "u1" },
    spec: { containers: [{ name: "app" }, { name: "side" }] },
    status,
  };
}

describe("sameStatus", () => {
  it("ignores the transition and start times, nothing else", () => {
    const at = (time: string, ready: "True" | "False"): PodStatus => ({
      phase: "Running",
      startTime: time,
      conditions: [{ type: "Ready", status: ready, lastProbeTime: null, lastTransitionTime: time }],
    });
    expect(sameStatus(at("2026-01-01T00:00:00Z", "True"), at("2026-01-01T00:05:00Z", "True"))).toBe(true);
    expect(sameStatus(at("2026-01-01T00:00:00Z", "True"), at("2026-01-01T00:00:00Z", "False"))).toBe(false);
    expect(sameStatus(undefined, { phase: "Pending" })).toBe(false);
  });
});

describe("waitingWarnings", () => {
  it("warns of a container entering CrashLoopBackOff or ErrImageNeverPull, once", () => {
    const before: PodStatus = { containerStatuses: [waiting("app", "ContainerCreating")] };
    const now = pod({
      containerStatuses: [
        waiting("app", "CrashLoopBackOff"),
        waiting("side", "ErrImageNeverPull", "not here"),
      ],
    });
    expect(waitingWarnings(now, before)).toEqual([
      { reason: "BackOff", message: "Back-off restarting failed container app in pod web_default(u1)" },
      { reason: "ErrImageNeverPull", message: "not here" },
    ]);
    expect(waitingWarnings(now, now.status as PodStatus)).toEqual([]);
  });

  it("says nothing of a container waiting for an ordinary reason", () => {
    const now = pod({ containerStatuses: [waiting("app", "ContainerCreating")] });
    expect(waitingWarnings(now, {})).toEqual([]);
  });
});
