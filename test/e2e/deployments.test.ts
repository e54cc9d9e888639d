import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("deployments driven by the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kubeconfig = (await platform.createCluster("deploy")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 120_000 });
  const runningPods = async (image: string) => {
    const pods = JSON.parse((await k("get", "pods", "-l", "app=web", "-o", "json")).stdout).items as {
      metadata: { deletionTimestamp?: string };
      spec: { containers: { image: string }[] };
      status: { phase: string };
    }[];
    return pods.filter(
      (p) =>
        !p.metadata.deletionTimestamp &&
        p.status.phase === "Running" &&
        p.spec.containers[0]?.image === image,
    );
  };

  it("creates a deployment whose replica set runs its pods", async () => {
    const created = await k("create", "deployment", "web", "--image=nginx:1.25");
    expect(created.stdout).toBe("deployment.apps/web created\n");
    const status = await k("rollout", "status", "deployment/web", "--timeout=90s");
    expect(status.stdout).toContain('deployment "web" successfully rolled out');
    const table = (await k("get", "deployments")).stdout;
    expect(table).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(table).toMatch(/web\s+1\/1\s+1\s+1\s+/);
    expect((await k("get", "rs", "-o", "name")).stdout).toMatch(/^replicaset\.apps\/web-[a-z0-9]+\n$/);
  });

  it("scales to 2", async () => {
    expect((await k("scale", "deployment/web", "--replicas=2")).stdout).toBe("deployment.apps/web scaled\n");
    await eventually(
      async () => ((await runningPods("nginx:1.25")).length === 2 ? true : undefined),
      90_000,
      "2 pods",
    );
    expect((await k("rollout", "status", "deployment/web", "--timeout=60s")).code).toBe(0);
  });

  it("rolls out a new image, and rolls it back", async () => {
    expect((await k("set", "image", "deployment/web", "nginx=nginx:1.27")).stdout).toBe(
      "deployment.apps/web image updated\n",
    );
    const status = await k("rollout", "status", "deployment/web", "--timeout=90s");
    expect(status.stdout).toContain("successfully rolled out");
    await eventually(async () => ((await runningPods("nginx:1.27")).length === 2 ? true : undefined), 90_000);
    expect((await k("get", "rs", "-o", "name")).stdout.trim().split("\n")).toHaveLength(2);
    const history = (await k("rollout", "history", "deployment/web")).stdout;
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect((await k("rollout", "undo", "deployment/web")).stdout).toBe("deployment.apps/web rolled back\n");
    expect((await k("rollout", "status", "deployment/web", "--timeout=90s")).code).toBe(0);
    await eventually(async () => ((await runningPods("nginx:1.25")).length === 2 ? true : undefined), 90_000);
  });

  it("deletes the deployment, its replica sets and pods with it", async () => {
    expect((await k("delete", "deployment", "web")).stdout).toBe('deployment.apps "web" deleted\n');
    await eventually(
      async () => ((await k("get", "pods,rs", "-o", "name")).stdout === "" ? true : undefined),
      90_000,
      "dependents gone",
    );
  });
  it("fails `rollout status` once a rollout stops progressing for progressDeadlineSeconds", async () => {
    const broken = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "broken" },
      spec: {
        progressDeadlineSeconds: 3,
        selector: { matchLabels: { app: "broken" } },
        template: {
          metadata: { labels: { app: "broken" } },
          spec: { containers: [{ name: "c", image: "nginx:no-such-tag" }] },
        },
      },
    };
    expect((await kubectl(kubeconfig, ["apply", "-f", "-"], { input: JSON.stringify(broken) })).code).toBe(0);
    const status = await k("rollout", "status", "deployment/broken", "--timeout=60s");
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('deployment "broken" exceeded its progress deadline');
  });
});
