import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("probes and init containers", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kubeconfig = (await platform.createCluster("probes")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args);
  const status = async (pod: string) =>
    JSON.parse((await k("get", "pod", pod, "-o", "json")).stdout).status as {
      phase: string;
      containerStatuses?: { ready: boolean; restartCount: number }[];
    };

  it("keeps a pod out of Ready until its readiness probe passes", async () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata: { name: gated }
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    readinessProbe:
      exec: { command: ["test", "-f", "/tmp/ready"] }
      periodSeconds: 1
`;
    await kubectl(kubeconfig, ["apply", "-f", "-"], { input: manifest });
    await eventually(async () => ((await status("gated")).phase === "Running" ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await status("gated")).containerStatuses?.[0]?.ready).toBe(false);
    expect((await k("get", "pod", "gated")).stdout).toMatch(/gated\s+0\/1\s+Running/);
    await k("exec", "gated", "--", "touch", "/tmp/ready");
    await eventually(
      async () => ((await status("gated")).containerStatuses?.[0]?.ready ? true : undefined),
      30_000,
      "ready",
    );
    expect((await k("wait", "--for=condition=Ready", "pod/gated", "--timeout=10s")).code).toBe(0);
  });

  it("restarts a container whose liveness probe fails", async () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata: { name: sick }
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "touch /tmp/alive; trap 'exit 0' TERM; sleep 3600 & wait"]
    livenessProbe:
      exec: { command: ["test", "-f", "/tmp/alive"] }
      periodSeconds: 1
      failureThreshold: 2
`;
    await kubectl(kubeconfig, ["apply", "-f", "-"], { input: manifest });
    await eventually(async () => ((await status("sick")).phase === "Running" ? true : undefined), 60_000);
    await k("exec", "sick", "--", "rm", "/tmp/alive");
    await eventually(
      async () => ((await status("sick")).containerStatuses?.[0]?.restartCount === 1 ? true : undefined),
      60_000,
      "a restart",
    );
    const events = (await k("describe", "pod", "sick")).stdout;
    expect(events).toMatch(/Unhealthy\s+.*Liveness probe failed/);
  });
  it("runs init containers to completion before the app container", async () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata: { name: staged }
spec:
  initContainers:
  - name: prepare
    image: busybox
    command: ["sh", "-c", "sleep 1; echo prepared"]
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
`;
    await kubectl(kubeconfig, ["apply", "-f", "-"], { input: manifest });
    const early = (await k("get", "pod", "staged")).stdout;
    expect(early).toMatch(/staged\s+0\/1\s+(Pending|Init:0\/1|PodInitializing)/);
    await eventually(async () => ((await status("staged")).phase === "Running" ? true : undefined), 60_000);
    expect((await k("logs", "staged", "-c", "prepare")).stdout).toBe("prepared\n");
    const init = JSON.parse((await k("get", "pod", "staged", "-o", "json")).stdout).status
      .initContainerStatuses[0];
    expect(init.state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
  });
  it("runs postStart and preStop hooks, and restarts a container whose postStart fails", async () => {
    const pod = (name: string, lifecycle: object) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: "c",
              image: "busybox",
              command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
              lifecycle,
            },
          ],
        },
      });
    const hooked = pod("hooked", {
      postStart: { exec: { command: ["sh", "-c", "echo started > /tmp/hook"] } },
      preStop: { exec: { command: ["sleep", "2"] } },
    });
    expect((await kubectl(kubeconfig, ["apply", "-f", "-"], { input: hooked })).code).toBe(0);
    expect((await k("wait", "--for=condition=Ready", "pod/hooked", "--timeout=60s")).code).toBe(0);
    const written = await eventually(async () => {
      const r = await k("exec", "hooked", "--", "cat", "/tmp/hook");
      return r.code === 0 ? r.stdout : undefined;
    }, 10_000);
    expect(written).toBe("started\n");
    const started = Date.now();
    expect((await k("delete", "pod", "hooked")).code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);

    const failing = pod("failing", { postStart: { exec: { command: ["sh", "-c", "exit 7"] } } });
    expect((await kubectl(kubeconfig, ["apply", "-f", "-"], { input: failing })).code).toBe(0);
    await eventually(
      async () => {
        const status = JSON.parse((await k("get", "pod", "failing", "-o", "json")).stdout).status;
        return (status.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? true : undefined;
      },
      60_000,
      "a restart after the failed hook",
    );
    const events = (await k("get", "events", "--field-selector", "involvedObject.name=failing")).stdout;
    expect(events).toContain("FailedPostStartHook");
  });
});
