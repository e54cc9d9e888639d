import { describe, expect, it } from "vitest";
import type { ContainerStatus, Pod } from "../../../core/k8s/types";
import { humanDuration } from "./duration";
import { toTable } from "./index";
import { podSummary } from "./pods";

const NOW = new Date("2026-01-01T12:00:00Z");

function status(over: Partial<ContainerStatus>): ContainerStatus {
  return {
    name: "app",
    ready: false,
    restartCount: 0,
    image: "nginx",
    imageID: "",
    state: {},
    lastState: {},
    ...over,
  };
}

function pod(phase: string, statuses: ContainerStatus[], meta: Partial<Pod["metadata"]> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", creationTimestamp: "2026-01-01T11:57:00Z", ...meta },
    spec: { containers: statuses.map((s) => ({ name: s.name, image: s.image })) },
    status: { phase: phase as "Running", containerStatuses: statuses },
  };
}

describe("humanDuration", () => {
  it("formats like Kubernetes", () => {
    const s = 1000;
    const m = 60 * s;
    const h = 60 * m;
    const d = 24 * h;
    expect(
      [5 * s, 119 * s, 3 * m + 20 * s, 10 * m, 5 * h + 2 * m, 30 * h, 3 * d + 4 * h, 40 * d, 800 * d].map(
        humanDuration,
      ),
    ).toEqual(["5s", "119s", "3m20s", "10m", "5h2m", "30h", "3d4h", "40d", "2y70d"]);
  });
});

describe("pod summary", () => {
  it("shows Running with ready counts", () => {
    const p = pod("Running", [status({ ready: true, state: { running: { startedAt: "x" } } })]);
    expect(podSummary(p, NOW)).toEqual({ ready: "1/1", status: "Running", restarts: "0" });
  });

  it("shows the waiting reason and restarts with the time since the last one", () => {
    const p = pod("Running", [
      status({
        restartCount: 3,
        state: { waiting: { reason: "CrashLoopBackOff" } },
        lastState: { terminated: { exitCode: 1, finishedAt: "2026-01-01T11:59:30Z" } },
      }),
    ]);
    expect(podSummary(p, NOW)).toEqual({ ready: "0/1", status: "CrashLoopBackOff", restarts: "3 (30s ago)" });
  });

  it("shows Completed, Terminating and ContainerCreating", () => {
    expect(
      podSummary(
        pod("Succeeded", [status({ state: { terminated: { exitCode: 0, reason: "Completed" } } })]),
        NOW,
      ).status,
    ).toBe("Completed");
    const deleting = pod("Running", [status({ ready: true, state: { running: {} } })], {
      deletionTimestamp: "x",
    });
    expect(podSummary(deleting, NOW).status).toBe("Terminating");
    expect(
      podSummary(pod("Pending", [status({ state: { waiting: { reason: "ContainerCreating" } } })]), NOW)
        .status,
    ).toBe("ContainerCreating");
  });
});

describe("toTable", () => {
  it("prints pods with kube-apiserver's columns and partial object metadata", () => {
    const table = toTable("Pod", [pod("Running", [status({ ready: true, state: { running: {} } })])], {
      now: NOW,
      includeObject: "Metadata",
      listMeta: { resourceVersion: "7" },
    });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      "Name",
      "Ready",
      "Status",
      "Restarts",
      "Age",
      "IP",
      "Node",
      "Nominated Node",
      "Readiness Gates",
    ]);
    expect(table.rows[0]?.cells.slice(0, 5)).toEqual(["web", "1/1", "Running", "0", "3m"]);
    expect(table.rows[0]?.object).toMatchObject({ kind: "PartialObjectMetadata", metadata: { name: "web" } });
    expect(table.metadata).toEqual({ resourceVersion: "7" });
  });
});
