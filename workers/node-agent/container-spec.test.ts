import { describe, expect, it } from "vitest";
import type { ContainerDefaults } from "../../core/k8s/budget";
import type { Container } from "../../core/k8s/types";
import { containerSpec, type EnvSources } from "./container-spec";
import { containerHash } from "./plan";

const identity = { clusterId: "c1", namespace: "default", name: "web", uid: "u1" };
const sources: EnvSources = {
  services: {},
  value: async () => undefined,
  source: async () => undefined,
};
const Mi = 1024 * 1024;
const defaults: ContainerDefaults = { memoryBytes: 256 * Mi, cpuMillis: 1000, pids: 512 };

const limitsOf = async (container: Partial<Container>) => {
  const spec = await containerSpec(
    identity,
    { name: "app", image: "busybox", ...container },
    "sandbox",
    0,
    sources,
    defaults,
  );
  return {
    memoryBytes: spec.memoryBytes,
    nanoCpus: spec.nanoCpus,
    cpuShares: spec.cpuShares,
    pidsLimit: spec.pidsLimit,
  };
};

describe("containerSpec cgroup limits", () => {
  it("gives a container without resources the platform's defaults, and Docker's default CPU shares", async () => {
    expect(await limitsOf({})).toEqual({
      memoryBytes: 256 * Mi,
      nanoCpus: 1_000_000_000,
      cpuShares: undefined,
      pidsLimit: 512,
    });
  });

  it("keeps the container's own limits, and shares from its request or else its limit", async () => {
    expect(
      await limitsOf({
        resources: { limits: { memory: "64Mi", cpu: "500m" }, requests: { cpu: "250m", memory: "32Mi" } },
      }),
    ).toEqual({ memoryBytes: 64 * Mi, nanoCpus: 500_000_000, cpuShares: 256, pidsLimit: 512 });
    expect(await limitsOf({ resources: { limits: { cpu: "2" } } })).toEqual({
      memoryBytes: 256 * Mi,
      nanoCpus: 2_000_000_000,
      cpuShares: 2048,
      pidsLimit: 512,
    });
  });

  it("defaults only what the container leaves unset, and never caps memory below its request", async () => {
    expect(await limitsOf({ resources: { limits: { memory: "1Gi" } } })).toMatchObject({
      memoryBytes: 1024 * Mi,
      nanoCpus: 1_000_000_000,
    });
    // a CPU request alone keeps the default limit (CPU is throttled, not killed) and sets the shares
    expect(await limitsOf({ resources: { requests: { cpu: "100m", memory: "512Mi" } } })).toEqual({
      memoryBytes: 512 * Mi,
      nanoCpus: 1_000_000_000,
      cpuShares: 102,
      pidsLimit: 512,
    });
  });

  it("does not let a limit of 0 mean uncapped, and raises a tiny CPU limit to the smallest CFS quota", async () => {
    expect(await limitsOf({ resources: { limits: { memory: "0", cpu: "0" } } })).toMatchObject({
      memoryBytes: 256 * Mi,
      nanoCpus: 1_000_000_000,
    });
    expect((await limitsOf({ resources: { limits: { cpu: "1m" } } })).nanoCpus).toBe(10_000_000);
  });

  it("leaves the container's hash as its spec says: the defaults are the runtime's, not the pod's", async () => {
    const container: Container = { name: "app", image: "busybox" };
    const spec = await containerSpec(identity, container, "sandbox", 0, sources, defaults);
    expect(spec.hash).toBe(containerHash(container));
    expect(container.resources).toBeUndefined();
  });
});
