import { describe, expect, it } from "vitest";
import { podPhases, podTrouble } from "./pod-trouble";
import type { Pod } from "./types";

const pod = (name: string, status: Record<string, unknown>): Pod =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "c", image: "nginx" }] },
    status,
  }) as Pod;

describe("what is wrong with a pod, for the class view", () => {
  it("names a container stuck waiting, with the kubelet's message", () => {
    const crashing = pod("web", {
      phase: "Running",
      containerStatuses: [{ state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } } }],
    });
    expect(podTrouble(crashing)).toEqual({
      namespace: "default",
      pod: "web",
      reason: "CrashLoopBackOff",
      message: "back-off 40s",
    });
    const image = pod("typo", {
      phase: "Pending",
      containerStatuses: [{ state: { waiting: { reason: "ErrImageNeverPull" } } }],
    });
    expect(podTrouble(image)?.reason).toBe("ErrImageNeverPull");
  });

  it("names a container last killed for memory, a pod the scheduler cannot place, a failed pod", () => {
    expect(
      podTrouble(
        pod("hog", {
          phase: "Running",
          containerStatuses: [{ state: {}, lastState: { terminated: { reason: "OOMKilled" } } }],
        }),
      )?.reason,
    ).toBe("OOMKilled");
    expect(
      podTrouble(
        pod("big", {
          phase: "Pending",
          conditions: [
            {
              type: "PodScheduled",
              status: "False",
              message: "0/1 nodes are available: 1 Insufficient cpu.",
            },
          ],
        }),
      ),
    ).toMatchObject({ reason: "Unschedulable", message: "0/1 nodes are available: 1 Insufficient cpu." });
    expect(
      podTrouble(pod("gone", { phase: "Failed", reason: "Evicted", message: "Usage of EmptyDir" }))?.reason,
    ).toBe("Evicted");
  });

  it("says nothing of a healthy pod, and counts pods by phase", () => {
    const ok = pod("ok", { phase: "Running", containerStatuses: [{ state: { running: {} } }] });
    expect(podTrouble(ok)).toBeUndefined();
    expect(podPhases([ok, pod("p", { phase: "Pending" }), pod("q", {})])).toEqual({ Running: 1, Pending: 2 });
  });
});
