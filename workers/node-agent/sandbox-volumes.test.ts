import { describe, expect, it } from "vitest";
import type { Container, Pod } from "../../core/k8s/types";
import { sandboxArchive, sandboxVolumes, withFsGroup } from "./sandbox-volumes";
import { planVolumes } from "./volumes";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "shop", uid: "u1" },
  spec: {
    containers: [
      {
        name: "c",
        volumeMounts: [
          { name: "scratch", mountPath: "/data" },
          { name: "scratch", mountPath: "/logs", subPath: "logs" },
          { name: "fast", mountPath: "/cache" },
          { name: "host", mountPath: "/host", subPath: "x" },
        ],
      },
    ],
    volumes: [
      { name: "scratch", emptyDir: {} },
      { name: "fast", emptyDir: { medium: "Memory" } },
      { name: "conf", configMap: { name: "web" } },
      { name: "host", hostPath: { path: "/srv" } },
    ],
  },
};
const planned = planVolumes(pod, "c1");
const held = sandboxVolumes(planned, pod.spec.containers as Container[]);

describe("sandboxVolumes", () => {
  it("holds every pod-scoped volume and the subPath volumes of its emptyDirs, never a cluster's volume", () => {
    expect(held.map((h) => [h.volume, h.path])).toEqual([
      ["scratch", "volumes/scratch"],
      ["fast", "volumes/fast"],
      ["conf", "volumes/conf"],
      ["scratch", expect.stringMatching(/^subpaths\/timonier-c1-pod-u1-scratch-sub-[0-9a-f]{12}$/)],
    ]);
    expect(held[3]?.path).toBe(`subpaths/${held[3]?.source}`);
  });
});

describe("sandboxArchive", () => {
  const files = new Map([["conf", [{ name: "nginx/nginx.conf", content: "events {}", mode: 0o400 }]]]);

  it("leaves disk emptyDirs world-writable as the kubelet creates them, and writes populated files", () => {
    expect(sandboxArchive(held, planned, files, undefined)).toEqual([
      { name: "volumes/scratch/", mode: 0o777 },
      { name: "volumes/conf/", mode: 0o755 },
      { name: "volumes/conf/nginx", mode: 0o755 },
      { name: "volumes/conf/nginx/nginx.conf", content: "events {}", mode: 0o400 },
      { name: `${held[3]?.path}/`, mode: 0o777 },
    ]);
  });

  it("gives an fsGroup the pod's volumes: setgid, group-writable emptyDirs and group-readable files", () => {
    expect(sandboxArchive(held, planned, files, 2000)).toEqual([
      { name: "volumes/scratch/", mode: 0o2777, gid: 2000 },
      { name: "volumes/conf/", mode: 0o2755, gid: 2000 },
      { name: "volumes/conf/nginx", mode: 0o2755, gid: 2000 },
      { name: "volumes/conf/nginx/nginx.conf", content: "events {}", mode: 0o440, gid: 2000 },
      { name: `${held[3]?.path}/`, mode: 0o2777, gid: 2000 },
    ]);
  });

  it("keeps subPath copies as they are without an fsGroup", () => {
    const entries = [{ name: "f", content: "x", mode: 0o600 }];
    expect(withFsGroup(entries, undefined)).toBe(entries);
    expect(withFsGroup(entries, 7)).toEqual([{ name: "f", content: "x", mode: 0o640, gid: 7 }]);
  });
});
