import { describe, expect, it, vi } from "vitest";
import { clusterNetwork } from "../../../core/network/cluster-network";
import { podOfEvent, splitLines } from "../container-events";
import { type ContainerSpec, LABEL, type PodIdentity } from "../runtime";
import { SimulatedEngine } from "./host";
import { type ContainerEvent, plannedExit, SimulatedRuntime } from "./runtime";

const pod: PodIdentity = { clusterId: "c1", namespace: "default", name: "web", uid: "u1" };
const network = clusterNetwork("10.2.0.0/23");
const now = () => new Date("2026-01-02T03:04:05.678Z");

function container(name: string, sandboxId: string, env: string[] = []): ContainerSpec {
  return {
    pod,
    hash: `h-${name}`,
    sandboxId,
    name,
    attempt: 0,
    image: "nginx",
    env,
    tty: false,
    stdin: false,
    stdinOnce: false,
  };
}

async function runningPod(runtime: SimulatedRuntime, env: string[] = []) {
  const { id: networkId } = await runtime.ensureNetwork("c1", network);
  const sandbox = await runtime.createSandbox({ pod, networkId, hostname: "web", attempt: 0 });
  const app = await runtime.createContainer(container("app", sandbox, env));
  await runtime.startContainer(sandbox);
  await runtime.startContainer(app);
  return { sandbox, app };
}

describe("plannedExit", () => {
  it("reads the exit code and the delay from the container's env", () => {
    expect(plannedExit(["A=1"])).toBeUndefined();
    expect(plannedExit(["TIMONIER_SIMULATED_EXIT=3"])).toEqual({ code: 3, afterMs: 0 });
    expect(plannedExit(["TIMONIER_SIMULATED_EXIT=0", "TIMONIER_SIMULATED_EXIT_AFTER_MS=250"])).toEqual({
      code: 0,
      afterMs: 250,
    });
    expect(plannedExit(["TIMONIER_SIMULATED_EXIT=x"])).toBeUndefined();
    expect(plannedExit(["TIMONIER_SIMULATED_EXIT=300"])).toBeUndefined();
  });
});

describe("SimulatedRuntime", () => {
  it("holds a pod as its sandbox, with an address of the cluster's pod range, and its containers", async () => {
    const runtime = new SimulatedRuntime("n1", now);
    const { sandbox, app } = await runningPod(runtime);
    const held = (await runtime.listPods()).get("u1");
    expect(held?.pod).toEqual(pod);
    expect(held?.sandboxes).toEqual([
      expect.objectContaining({ id: sandbox, name: "POD", state: "running", ip: "10.2.0.2" }),
    ]);
    expect(held?.containers).toEqual([
      expect.objectContaining({
        id: app,
        name: "app",
        hash: "h-app",
        image: "nginx",
        state: "running",
        startedAt: "2026-01-02T03:04:05Z",
      }),
    ]);
  });

  it("narrows by labels as Docker's filters do", async () => {
    const runtime = new SimulatedRuntime("n1", now);
    await runningPod(runtime);
    expect((await runtime.listPods({ [LABEL.pod]: "web", [LABEL.cluster]: "c1" })).size).toBe(1);
    expect((await runtime.listPods({ [LABEL.pod]: "other" })).size).toBe(0);
  });

  it("gives a stopped sandbox's address back and a new sandbox the address it asks for", async () => {
    const runtime = new SimulatedRuntime("n1", now);
    const { id: networkId } = await runtime.ensureNetwork("c1", network);
    const { sandbox } = await runningPod(runtime);
    await runtime.stopContainer(sandbox);
    const stopped = (await runtime.listPods()).get("u1")?.sandboxes[0];
    expect(stopped).toMatchObject({ state: "exited", exitCode: 0, finishedAt: "2026-01-02T03:04:05Z" });
    expect(stopped?.ip).toBeUndefined();
    const next = await runtime.createSandbox({ pod, networkId, hostname: "web", attempt: 1, ip: "10.2.0.9" });
    await runtime.startContainer(next);
    const again = (await runtime.listPods()).get("u1")?.sandboxes.find((s) => s.id === next);
    expect(again?.ip).toBe("10.2.0.9");
  });

  it("tells each start and end, and ends a container whose env says so", async () => {
    vi.useFakeTimers();
    try {
      const runtime = new SimulatedRuntime("n1", now);
      const events: ContainerEvent["action"][] = [];
      runtime.events.on("container", (e) => events.push(e.action));
      const { app } = await runningPod(runtime, [
        "TIMONIER_SIMULATED_EXIT=2",
        "TIMONIER_SIMULATED_EXIT_AFTER_MS=100",
      ]);
      expect(events).toEqual(["start", "start"]);
      await vi.advanceTimersByTimeAsync(100);
      expect(events).toEqual(["start", "start", "die"]);
      const ended = (await runtime.listPods()).get("u1")?.containers.find((c) => c.id === app);
      expect(ended).toMatchObject({ state: "exited", exitCode: 2 });
    } finally {
      vi.useRealTimers();
    }
  });

  it("forgets a removed container and refuses to start one it does not hold", async () => {
    const runtime = new SimulatedRuntime("n1", now);
    const { sandbox, app } = await runningPod(runtime);
    await runtime.removeContainer(app);
    await runtime.removeContainer(sandbox);
    expect((await runtime.listPods()).size).toBe(0);
    await expect(runtime.startContainer(app)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("refuses a sandbox on a network it does not have", async () => {
    const runtime = new SimulatedRuntime("n1", now);
    await expect(
      runtime.createSandbox({ pod, networkId: "simulated-c9", hostname: "web", attempt: 0 }),
    ).rejects.toThrow(/network/);
  });
});

describe("SimulatedEngine", () => {
  it("streams its runtime's starts as Docker event lines naming the pod", async () => {
    const runtime = new SimulatedRuntime("n1", now);
    const stream = await new SimulatedEngine("n1", runtime).getEvents();
    const chunks: string[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c.toString()));
    await runningPod(runtime);
    const { lines } = splitLines(chunks.join(""));
    expect(lines.map(podOfEvent)).toEqual([
      { clusterId: "c1", namespace: "default", name: "web" },
      { clusterId: "c1", namespace: "default", name: "web" },
    ]);
    (stream as unknown as { destroy(): void }).destroy();
    await new Promise((r) => setImmediate(r));
    expect(runtime.events.listenerCount("container")).toBe(0);
  });
});
