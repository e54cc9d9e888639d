import { describe, expect, it } from "vitest";
import type { Pod } from "../../core/k8s/types";
import { emptyDirEviction, limitedEmptyDirs, parseUsage, planEviction, usageCommand } from "./eviction";
import type { ObservedContainer, ObservedPod } from "./runtime";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "hog", namespace: "default", uid: "u1" },
  spec: {
    containers: [
      {
        name: "app",
        volumeMounts: [
          { name: "scratch", mountPath: "/data" },
          { name: "scratch", mountPath: "/logs", subPath: "logs" },
        ],
      },
    ],
    volumes: [
      { name: "scratch", emptyDir: { sizeLimit: "10Mi" } },
      { name: "free", emptyDir: {} },
      { name: "zero", emptyDir: { sizeLimit: "0" } },
      { name: "fast", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    ],
  },
};

const dirs = limitedEmptyDirs(pod, "c1");
const [own, sub] = dirs[0]?.paths ?? [];

describe("limitedEmptyDirs", () => {
  it("watches the disk emptyDirs with a positive sizeLimit, with their subPaths, where the sandbox holds them", () => {
    expect(dirs).toEqual([
      {
        volume: "scratch",
        limit: "10Mi",
        limitBytes: 10 * 1024 * 1024,
        paths: ["/.timonier/volumes/scratch", expect.stringMatching(/^\/\.timonier\/subpaths\/.+-sub-/)],
      },
    ]);
    expect(usageCommand(dirs)).toEqual(["du", "-s", "-x", "-k", own, sub]);
    expect(limitedEmptyDirs({ ...pod, spec: { containers: [] } }, "c1")).toEqual([]);
  });
});

describe("emptyDirEviction", () => {
  it("evicts once the volume and its subPaths together use more than the limit, in the kubelet's words", () => {
    const usage = parseUsage(`8192\t${own}\n2049\t${sub}\n`);
    expect(usage.get(own ?? "")).toBe(8 * 1024 * 1024);
    expect(emptyDirEviction(dirs, usage)).toBe(
      'Usage of EmptyDir volume "scratch" exceeds the limit "10Mi". ',
    );
  });

  it("leaves a pod at or under its limit, or not measured, alone", () => {
    expect(emptyDirEviction(dirs, parseUsage(`8192\t${own}\n2048\t${sub}\n`))).toBeUndefined();
    expect(
      emptyDirEviction(dirs, parseUsage("du: cannot access 'x': No such file or directory\n")),
    ).toBeUndefined();
  });
});

describe("planEviction", () => {
  const c = (over: Partial<ObservedContainer>): ObservedContainer => ({
    id: "x",
    name: "app",
    attempt: 0,
    hash: "",
    image: "busybox",
    imageId: "",
    state: "running",
    exitCode: 0,
    oomKilled: false,
    ...over,
  });
  it("kills the live containers with a second's grace, then the sandbox", () => {
    const observed: ObservedPod = {
      pod: { clusterId: "c1", namespace: "default", name: "hog", uid: "u1" },
      sandboxes: [c({ id: "s", name: "POD" })],
      containers: [c({ id: "a" }), c({ id: "old", state: "exited" })],
    };
    expect(planEviction(observed)).toEqual([
      { kind: "stop", id: "a", graceSeconds: 1 },
      { kind: "stop", id: "s", graceSeconds: 0 },
    ]);
  });
});
