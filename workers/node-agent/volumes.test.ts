import { describe, expect, it } from "vitest";
import type { PersistentVolume } from "../../core/k8s/storage/types";
import type { Container, Pod } from "../../core/k8s/types";
import {
  containerMounts,
  dataSources,
  memoryEmptyDirBytes,
  planVolumes,
  podMemoryLimit,
  type VolumeData,
  type VolumeSource,
  volumeFiles,
} from "./volumes";

const volumes: VolumeSource[] = [
  { name: "scratch", emptyDir: {} },
  { name: "fast", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
  { name: "logs", hostPath: { path: "/var/log/app/" } },
  {
    name: "conf",
    configMap: { name: "web", items: [{ key: "nginx.conf", path: "nginx/nginx.conf", mode: 0o600 }] },
  },
  { name: "creds", secret: { secretName: "db", defaultMode: 0o400 } },
  { name: "data", persistentVolumeClaim: { claimName: "pgdata" } },
  {
    name: "all",
    projected: {
      sources: [
        { configMap: { name: "web" } },
        { downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
      ],
    },
  },
];

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "shop", uid: "u1", labels: { tier: "web", app: "shop" } },
  spec: {
    containers: [{ name: "c", resources: { limits: { memory: "64Mi" } } }],
    volumes,
  },
};

const data: VolumeData = {
  configMaps: new Map([["web", { "nginx.conf": "events {}", index: "hi" }]]),
  secrets: new Map([["db", { password: "s3cret" }]]),
};
const source = (name: string) => volumes.find((v) => v.name === name) as VolumeSource;

describe("planVolumes", () => {
  it("gives pod-scoped volumes per pod uid, host paths and claims per cluster", () => {
    const planned = planVolumes(pod, "c1");
    const byName = Object.fromEntries(planned.map((v) => [v.name, v]));
    expect(byName.scratch).toEqual({
      name: "scratch",
      docker: "timonier-c1-pod-u1-scratch",
      scope: "pod",
      populated: false,
      readOnly: false,
    });
    expect(byName.fast?.tmpfsBytes).toBe(16 * 1024 * 1024);
    expect(byName.logs?.scope).toBe("cluster");
    expect(byName.logs?.docker).toMatch(/^timonier-c1-host-[0-9a-f]{12}$/);
    expect(
      planVolumes(
        { ...pod, spec: { ...pod.spec, volumes: [{ name: "x", hostPath: { path: "/var/log/app" } }] } },
        "c1",
      )[0]?.docker,
    ).toBe(byName.logs?.docker);
    const bound = (spec: PersistentVolume["spec"]) =>
      planVolumes(
        pod,
        "c1",
        new Map([
          ["pgdata", { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv1" }, spec }],
        ]),
      );
    // a claim bound to a hostPath volume shares the path's Docker volume
    expect(bound({ hostPath: { path: "/var/log/app" } }).find((v) => v.name === "data")?.docker).toBe(
      byName.logs?.docker,
    );
    expect(bound({ csi: {} }).find((v) => v.name === "data")?.docker).toBe("timonier-c1-pv-pv1");
    expect(byName.conf).toMatchObject({ populated: true, readOnly: true });
    expect(dataSources(pod)).toEqual({ configMaps: ["web"], secrets: ["db"] });
  });
});

describe("volumeFiles", () => {
  it("writes the selected keys with their modes, and every key without items", () => {
    expect(volumeFiles(pod, source("conf"), data)).toEqual({
      files: [{ name: "nginx/nginx.conf", content: "events {}", mode: 0o600 }],
    });
    expect(volumeFiles(pod, source("creds"), data)).toEqual({
      files: [{ name: "password", content: "s3cret", mode: 0o400 }],
    });
  });
  it("projects several sources into one directory, downward API fields included", () => {
    const result = volumeFiles(pod, source("all"), data);
    expect(result).toEqual({
      files: [
        { name: "nginx.conf", content: "events {}", mode: 0o644 },
        { name: "index", content: "hi", mode: 0o644 },
        { name: "labels", content: 'app="shop"\ntier="web"', mode: 0o644 },
      ],
    });
  });
  it("names what is missing, unless the source is optional", () => {
    const none: VolumeData = { configMaps: new Map([["web", undefined]]), secrets: new Map() };
    expect(volumeFiles(pod, source("conf"), none)).toEqual({ missing: 'configmap "web" not found' });
    expect(volumeFiles(pod, { name: "o", configMap: { name: "web", optional: true } }, none)).toEqual({
      files: [],
    });
    expect(
      volumeFiles(pod, { name: "k", configMap: { name: "web", items: [{ key: "nope", path: "x" }] } }, data),
    ).toEqual({
      missing: "configmap references non-existent config key: nope",
    });
  });
});

describe("containerMounts", () => {
  it("mounts volumes, copies subPaths of populated ones and gives other subPaths their own volume", () => {
    const container: Container = {
      name: "c",
      volumeMounts: [
        { name: "scratch", mountPath: "/tmp/work" },
        { name: "conf", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx/nginx.conf" },
        { name: "logs", mountPath: "/logs", subPath: "web", readOnly: true },
        { name: "creds", mountPath: "/secrets" },
      ],
    };
    const { mounts, copies } = containerMounts(container, planVolumes(pod, "c1"));
    expect(copies).toEqual([
      { volume: "conf", subPath: "nginx/nginx.conf", target: "/etc/nginx/nginx.conf" },
    ]);
    expect(mounts[0]).toEqual({ source: "timonier-c1-pod-u1-scratch", target: "/tmp/work", readOnly: false });
    expect(mounts[1]?.source).toMatch(/^timonier-c1-host-[0-9a-f]{12}-sub-[0-9a-f]{12}$/);
    expect(mounts[1]?.readOnly).toBe(true);
    expect(mounts[2]).toEqual({ source: "timonier-c1-pod-u1-creds", target: "/secrets", readOnly: true });
  });
});

describe("memory-backed emptyDirs", () => {
  const MiB = 1024 * 1024;
  const limited = (...limits: (string | undefined)[]): Pod => ({
    ...pod,
    spec: {
      containers: limits.map((memory, i) => ({
        name: `c${i}`,
        ...(memory ? { resources: { limits: { memory } } } : {}),
      })),
    },
  });

  it("takes the pod's memory limit only when every container has one", () => {
    expect(podMemoryLimit(limited("64Mi", "32Mi"))).toBe(96 * MiB);
    expect(podMemoryLimit(limited("64Mi", undefined))).toBeUndefined();
    const withInit = limited("64Mi");
    withInit.spec.initContainers = [{ name: "init", resources: { limits: { memory: "128Mi" } } }];
    expect(podMemoryLimit(withInit)).toBe(128 * MiB);
  });

  it("caps the tmpfs at the smallest of the sizeLimit, the pod's memory limit and the platform's maximum", () => {
    expect(memoryEmptyDirBytes(limited(undefined), "200Gi", 512 * MiB)).toBe(512 * MiB);
    expect(memoryEmptyDirBytes(limited("64Mi"), "200Gi", 512 * MiB)).toBe(64 * MiB);
    expect(memoryEmptyDirBytes(limited("64Mi"), "16Mi", 512 * MiB)).toBe(16 * MiB);
    expect(memoryEmptyDirBytes(limited(undefined), undefined, 512 * MiB)).toBe(512 * MiB);
    expect(memoryEmptyDirBytes(limited("1Gi"), undefined, 512 * MiB)).toBe(512 * MiB);
    const planned = planVolumes(
      {
        ...limited(undefined),
        spec: {
          ...limited(undefined).spec,
          volumes: [{ name: "m", emptyDir: { medium: "Memory", sizeLimit: "200Gi" } }],
        },
      },
      "c1",
      new Map(),
      256 * MiB,
    );
    expect(planned[0]?.tmpfsBytes).toBe(256 * MiB);
  });
});
