import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DockerLab, type LabEngine, startDockerLab } from "../support/docker-lab";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

interface PodItem {
  metadata: { name: string };
  status: {
    phase: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { containerID?: string }[];
  };
}

/**
 * The node's Docker engine restarted under a running cluster (a lab engine, never the shared one): writes
 * accepted meanwhile converge once it is back, and every pod is Running again, as a kubelet brings its
 * pods back after its container runtime restarts.
 */
describe("a Docker engine outage", () => {
  let lab: DockerLab;
  let engine: LabEngine;
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    lab = await startDockerLab(1);
    engine = lab.engines[0] as LabEngine;
    platform = await startTestPlatform({ dockerHost: engine.dockerHost, nodeAddress: engine.address });
    kubeconfig = (await platform.createCluster("docker-outage")).kubeconfig;
  }, 240_000);
  afterAll(async () => {
    if (engine && !engine.running) await engine.start().catch(() => undefined);
    await platform?.close();
    await lab?.close();
  }, 120_000);

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 60_000 });
  const runningReady = async () =>
    (
      JSON.parse((await k("get", "pods", "-l", "app=web", "-o", "json")).stdout) as { items: PodItem[] }
    ).items.filter(
      (p) =>
        p.status.phase === "Running" &&
        p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    );

  it("brings the pods back Running after the engine restarts, with the write accepted meanwhile", async () => {
    expect((await k("create", "deployment", "web", "--image=nginx", "--replicas=2")).code).toBe(0);
    expect((await k("rollout", "status", "deployment/web", "--timeout=120s")).code).toBe(0);
    const before = await engine.docker.listContainers({ filters: { label: ["io.timonier.role"] } });

    await engine.stop();
    expect(await engine.docker.ping().catch(() => "down")).toBe("down");
    const started = performance.now();
    const scaled = await k("scale", "deployment", "web", "--replicas=3");
    expect(scaled.code).toBe(0);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect((await k("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}")).stdout).toBe("3");

    await engine.start();
    // the status must be about the containers that run now, not what was written before the outage
    const pods = await eventually(
      async () => {
        const ready = await runningReady();
        const running = new Set(
          (await engine.docker.listContainers({ filters: { label: ["io.timonier.pod-uid"] } })).map(
            (c) => c.Id,
          ),
        );
        const live = ready.filter((p) => {
          const statuses = p.status.containerStatuses ?? [];
          return (
            statuses.length > 0 &&
            statuses.every((c) => running.has(c.containerID?.replace("docker://", "") ?? ""))
          );
        });
        return live.length === 3 && running.size === 6 ? live : undefined;
      },
      120_000,
      "three pods Running and Ready on containers that run after the engine came back",
    );
    expect(pods).toHaveLength(3);
    expect(before.length).toBeGreaterThan(0);
    const node = await k("get", "node", platform.nodeName);
    expect(node.stdout).toMatch(/\sReady\s/);
  });
});
