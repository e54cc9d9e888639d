import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string; labels: Record<string, string> };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase: string };
}

const manifest = {
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "agent" },
  spec: {
    selector: { matchLabels: { app: "agent" } },
    template: {
      metadata: { labels: { app: "agent" } },
      spec: {
        terminationGracePeriodSeconds: 5,
        containers: [{ name: "nginx", image: "nginx:1.25" }],
      },
    },
  },
};

describe("daemonsets driven by the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kubeconfig = (await platform.createCluster("ds")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 150_000 });
  const pods = async () =>
    (JSON.parse((await k("get", "pods", "-l", "app=agent", "-o", "json")).stdout).items as PodJson[]).filter(
      (p) => !p.metadata.deletionTimestamp,
    );

  it("runs one pod on the node, bound to it", async () => {
    const created = await kubectl(kubeconfig, ["apply", "-f", "-"], { input: JSON.stringify(manifest) });
    expect(created.stdout).toBe("daemonset.apps/agent created\n");
    const status = await k("rollout", "status", "daemonset/agent", "--timeout=90s");
    expect(status.stdout).toContain('daemon set "agent" successfully rolled out');
    const running = await pods();
    expect(running).toHaveLength(1);
    expect(running[0]?.spec.nodeName).toBe(platform.nodeName);
    expect(running[0]?.status.phase).toBe("Running");
    expect((await k("get", "ds")).stdout).toMatch(
      /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nagent\s+1\s+1\s+1\s+1\s+1\s+<none>\s+/,
    );
    expect((await k("get", "all")).stdout).toContain("daemonset.apps/agent");
  });

  it("rolls a new image onto the node", async () => {
    const before = (await pods())[0] as PodJson;
    expect((await k("set", "image", "daemonset/agent", "nginx=nginx:1.27")).stdout).toBe(
      "daemonset.apps/agent image updated\n",
    );
    const status = await k("rollout", "status", "daemonset/agent", "--timeout=90s");
    expect(status.stdout).toContain('daemon set "agent" successfully rolled out');
    const after = await eventually(async () => {
      const now = await pods();
      return now.length === 1 && now[0]?.status.phase === "Running" ? now[0] : undefined;
    }, 30_000);
    expect(after.metadata.name).not.toBe(before.metadata.name);
    expect(after.spec.containers[0]?.image).toBe("nginx:1.27");
    expect(after.metadata.labels["controller-revision-hash"]).not.toBe(
      before.metadata.labels["controller-revision-hash"],
    );
    const ds = JSON.parse((await k("get", "ds", "agent", "-o", "json")).stdout);
    expect(ds.status).toMatchObject({
      desiredNumberScheduled: 1,
      currentNumberScheduled: 1,
      numberReady: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberMisscheduled: 0,
      observedGeneration: 2,
    });
    expect((await k("rollout", "history", "daemonset/agent")).stdout).toMatch(/1\s+<none>\n2\s+<none>/);
  });

  it("describes the set and rolls it back with rollout undo", async () => {
    expect((await k("describe", "ds", "agent")).stdout).toMatch(
      /Number of Nodes Scheduled with Up-to-date Pods: 1/,
    );
    expect((await k("rollout", "undo", "daemonset/agent")).stdout).toBe("daemonset.apps/agent rolled back\n");
    expect((await k("rollout", "status", "daemonset/agent", "--timeout=90s")).code).toBe(0);
    await eventually(async () => {
      const now = await pods();
      return now.length === 1 && now[0]?.spec.containers[0]?.image === "nginx:1.25" ? true : undefined;
    }, 60_000);
  });

  it("deletes the set, its pod and its revisions", async () => {
    expect((await k("delete", "ds", "agent")).stdout).toBe('daemonset.apps "agent" deleted\n');
    await eventually(
      async () =>
        (await k("get", "pods,controllerrevisions", "-o", "name")).stdout === "" ? true : undefined,
      90_000,
      "dependents gone",
    );
  });
});
