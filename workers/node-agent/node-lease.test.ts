import type Docker from "dockerode";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NodeLease, podCapacity, registration } from "./node-lease";

type Info = Awaited<ReturnType<Docker["info"]>>;

const info = (architecture: string) =>
  ({
    NCPU: 4,
    MemTotal: 8 * 1024 * 1024 * 1024,
    KernelVersion: "6.1.0",
    OperatingSystem: "Debian GNU/Linux 12",
    ServerVersion: "27.0.3",
    Architecture: architecture,
    ID: "machine-1",
  }) as Info;

describe("registration", () => {
  const node = { name: "n1", address: "10.0.0.11", dockerHost: "tcp://10.0.0.11:2376" };

  it("registers the host's capacity, versions and addresses with the operator's identity", () => {
    const r = registration({ ...node, labels: { zone: "a" } }, info("x86_64"), "http://10.0.0.11:10250");
    expect(r).toMatchObject({
      name: "n1",
      dockerHost: "tcp://10.0.0.11:2376",
      agentUrl: "http://10.0.0.11:10250",
      capacity: { cpu: "4", memory: "8388608Ki", pods: "256" },
      labels: { zone: "a" },
      taints: [],
      info: { containerRuntimeVersion: "docker://27.0.3", architecture: "amd64", machineID: "machine-1" },
      addresses: [
        { type: "InternalIP", address: "10.0.0.11" },
        { type: "Hostname", address: "n1" },
      ],
    });
    expect(r.allocatable).toEqual(r.capacity);
  });

  it("takes one pod per 32 MiB of the host, never fewer than kubelet's 110, unless the operator says", () => {
    expect(podCapacity(24 * 1024 ** 3)).toBe(768);
    expect(podCapacity(2 * 1024 ** 3)).toBe(110);
    expect(registration({ ...node, maxPods: 40 }, info("x86_64"), null).capacity.pods).toBe("40");
  });

  it("names the architecture as Kubernetes does", () => {
    expect(registration(node, info("aarch64"), null).info?.architecture).toBe("arm64");
    expect(registration(node, info("riscv64"), null).info?.architecture).toBe("riscv64");
  });
});

describe("NodeLease", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("heartbeats only while the node's engine answers", async () => {
    vi.useFakeTimers();
    let up = true;
    const beats: string[] = [];
    const docker = {
      info: async () => info("x86_64"),
      ping: async () => {
        if (!up) throw new Error("connect ENOENT");
        return "OK";
      },
    };
    const nodes = {
      register: async () => ({}) as never,
      heartbeat: async (name: string) => {
        beats.push(name);
      },
    };
    const lease = new NodeLease(
      { name: "n1", address: "10.0.0.11", dockerHost: "unix:///run/n1.sock" },
      docker as never,
      nodes,
      1_000,
    );
    await lease.start(null);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(beats).toHaveLength(3);
    up = false;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(beats).toHaveLength(3);
    up = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(beats).toHaveLength(4);
    lease.stop();
  });
});
