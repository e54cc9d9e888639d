import { describe, expect, it } from "vitest";
import type { Pod } from "../../core/k8s/types";
import type { ObservedContainer, ObservedPod } from "./runtime";
import { podStatus } from "./status";

const NOW = new Date("2026-01-01T00:10:00Z");

function pod(restartPolicy: "Always" | "OnFailure" | "Never" = "Always"): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", uid: "u1" },
    spec: { restartPolicy, containers: [{ name: "app", image: "nginx" }] },
    status: { phase: "Pending", qosClass: "BestEffort" },
  };
}

function observed(app: Partial<ObservedContainer>[]): ObservedPod {
  const base = { image: "nginx", imageId: "sha256:1", exitCode: 0, oomKilled: false, hash: "" };
  return {
    pod: { clusterId: "c", namespace: "default", name: "web", uid: "u1" },
    sandboxes: [{ ...base, id: "s", name: "POD", attempt: 0, state: "running", ip: "10.0.0.5" }],
    containers: app.map((c, i) => ({
      ...base,
      id: `c${i}`,
      name: "app",
      attempt: i,
      state: "running",
      ...c,
    })),
  };
}

describe("podStatus", () => {
  it("reports a waiting container as ContainerCreating while nothing runs", () => {
    const status = podStatus(pod(), undefined, new Set(), "127.0.0.1", NOW);
    expect(status.phase).toBe("Pending");
    expect(status.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: "ContainerCreating" } });
  });

  it("says ErrImageNeverPull for an image that is not on the node", () => {
    const status = podStatus(pod(), undefined, new Set(["nginx"]), "127.0.0.1", NOW);
    expect(status.containerStatuses?.[0]?.state.waiting?.reason).toBe("ErrImageNeverPull");
  });

  it("reports Running with the pod IP, readiness and start time", () => {
    const status = podStatus(
      pod(),
      observed([{ startedAt: "2026-01-01T00:09:00Z" }]),
      new Set(),
      "127.0.0.1",
      NOW,
    );
    expect(status).toMatchObject({
      phase: "Running",
      podIP: "10.0.0.5",
      hostIP: "127.0.0.1",
      qosClass: "BestEffort",
    });
    expect(status.containerStatuses?.[0]).toMatchObject({
      ready: true,
      restartCount: 0,
      state: { running: { startedAt: "2026-01-01T00:09:00Z" } },
      containerID: "docker://c0",
    });
    expect(status.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  });

  it("shows CrashLoopBackOff with the last termination and the restart count", () => {
    const status = podStatus(
      pod(),
      observed([
        { state: "exited", exitCode: 1, finishedAt: "2026-01-01T00:09:00Z" },
        {
          state: "exited",
          exitCode: 1,
          startedAt: "2026-01-01T00:09:58Z",
          finishedAt: "2026-01-01T00:09:59Z",
        },
      ]),
      new Set(),
      "127.0.0.1",
      NOW,
    );
    const app = status.containerStatuses?.[0];
    expect(app?.restartCount).toBe(1);
    expect(app?.state.waiting?.reason).toBe("CrashLoopBackOff");
    expect(app?.lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(status.phase).toBe("Running");
  });

  it("ends in Succeeded or Failed under restartPolicy Never", () => {
    const done = observed([{ state: "exited", exitCode: 0, finishedAt: "2026-01-01T00:09:00Z" }]);
    expect(podStatus(pod("Never"), done, new Set(), "127.0.0.1", NOW).phase).toBe("Succeeded");
    const failed = observed([{ state: "exited", exitCode: 3, finishedAt: "2026-01-01T00:09:00Z" }]);
    const status = podStatus(pod("Never"), failed, new Set(), "127.0.0.1", NOW);
    expect(status.phase).toBe("Failed");
    expect(status.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
  });

  it("reports initialisation: Pending with Init statuses, then the app", () => {
    const p = {
      ...pod("Never"),
      spec: { ...pod("Never").spec, initContainers: [{ name: "init", image: "busybox" }] },
    };
    const running = observed([]);
    running.containers = [
      { ...running.sandboxes[0], id: "i", name: "init", state: "running" as const } as never,
    ];
    const status = podStatus(p, running, new Set(), "127.0.0.1", NOW);
    expect(status.phase).toBe("Pending");
    expect(status.conditions?.find((c) => c.type === "Initialized")?.status).toBe("False");
    expect(status.containerStatuses?.[0]?.state.waiting?.reason).toBe("PodInitializing");
    running.containers = [
      { ...running.sandboxes[0], id: "i", name: "init", state: "exited" as const, exitCode: 2 } as never,
    ];
    expect(podStatus(p, running, new Set(), "127.0.0.1", NOW).phase).toBe("Failed");
  });

  it("keeps a condition's transition time while its status holds", () => {
    const first = podStatus(pod(), observed([{}]), new Set(), "127.0.0.1", NOW);
    const later = podStatus(
      { ...pod(), status: first },
      observed([{}]),
      new Set(),
      "127.0.0.1",
      new Date("2026-01-01T01:00:00Z"),
    );
    expect(later.conditions).toEqual(first.conditions);
  });

  it("says CreateContainerConfigError with the kubelet's message for a container it would not create", () => {
    const message =
      'container has runAsNonRoot and image will run as root (pod: "web_default(u1)", container: app)';
    const sandboxOnly = observed([]);
    const status = podStatus(pod(), sandboxOnly, new Set(), "127.0.0.1", NOW, undefined, {
      configErrors: new Map([["app", message]]),
    });
    expect(status.phase).toBe("Pending");
    expect(status.containerStatuses?.[0]?.state).toEqual({
      waiting: { reason: "CreateContainerConfigError", message },
    });
  });

  it("reports an evicted pod Failed with reason Evicted, its killed containers terminated, not backing off", () => {
    const message = 'Usage of EmptyDir volume "scratch" exceeds the limit "10Mi". ';
    const killed = observed([
      {
        state: "exited",
        exitCode: 137,
        startedAt: "2026-01-01T00:09:00Z",
        finishedAt: "2026-01-01T00:09:59Z",
      },
    ]);
    const status = podStatus(pod(), killed, new Set(), "127.0.0.1", NOW, undefined, { evicted: message });
    expect(status).toMatchObject({ phase: "Failed", reason: "Evicted", message });
    expect(status.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 137, reason: "Error" });
  });
});
