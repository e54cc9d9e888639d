import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

/** A CPU-busy deployment, `kubectl top` and `kubectl autoscale`, on Docker with real cgroup figures. */
describe("metrics and autoscaling through the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ metricsSeconds: 3 });
    kubeconfig = (await platform.createCluster("hpa")).kubeconfig;
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 90_000 });

  it("shows real CPU in kubectl top, and scales a busy deployment up with kubectl autoscale", async () => {
    const burn = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "burn" },
      spec: {
        selector: { matchLabels: { app: "burn" } },
        template: {
          metadata: { labels: { app: "burn" } },
          spec: {
            containers: [
              {
                name: "loop",
                image: "busybox",
                command: ["sh", "-c", "while :; do :; done"],
                // a tenth of a core at most: busy against a request of 50m, cheap for the machine
                resources: { requests: { cpu: "50m" }, limits: { cpu: "100m" } },
              },
            ],
          },
        },
      },
    };
    expect((await kubectl(kubeconfig, ["apply", "-f", "-"], { input: JSON.stringify(burn) })).code).toBe(0);
    expect((await k("rollout", "status", "deployment/burn", "--timeout=60s")).code).toBe(0);

    const top = await eventually(
      async () => {
        const r = await k("top", "pods", "-l", "app=burn", "--no-headers");
        const millis = Number(/\s(\d+)m\s/.exec(r.stdout)?.[1] ?? 0);
        return millis > 20 ? millis : undefined;
      },
      30_000,
      "CPU in kubectl top",
    );
    expect(top).toBeLessThanOrEqual(150);
    expect((await k("top", "nodes")).stdout).toMatch(/CPU\(cores\)/);

    expect((await k("autoscale", "deployment", "burn", "--cpu-percent=50", "--min=1", "--max=2")).code).toBe(
      0,
    );
    await eventually(
      async () => {
        const r = await k("get", "deployment", "burn", "-o", "jsonpath={.spec.replicas}");
        return r.stdout === "2" ? true : undefined;
      },
      60_000,
      "the deployment scaled to 2",
    );
    // the autoscaler scales its target, then writes its own status, as the real one does
    const hpa = await eventually(
      async () => {
        const r = (await k("get", "hpa", "burn")).stdout;
        return /burn\s+Deployment\/burn\s+cpu: \d+%\/50%\s+1\s+2\s+/.test(r) ? r : undefined;
      },
      30_000,
      "the autoscaler's status",
    );
    expect(hpa).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/);
    const events = (
      await k("get", "events", "--field-selector", "involvedObject.kind=HorizontalPodAutoscaler")
    ).stdout;
    expect(events).toContain(
      "New size: 2; reason: cpu resource utilization (percentage of request) above target",
    );
    const v1 = JSON.parse(
      (await k("get", "horizontalpodautoscalers.v1.autoscaling", "burn", "-o", "json")).stdout,
    );
    expect(v1).toMatchObject({
      apiVersion: "autoscaling/v1",
      spec: { targetCPUUtilizationPercentage: 50, maxReplicas: 2 },
    });
  });
});
