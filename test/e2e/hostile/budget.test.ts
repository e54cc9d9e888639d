import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../../support/platform";

/** A cluster's budget is the platform's: nothing a cluster-admin does inside the cluster lifts it. */
describe("hostile student: the cluster's budget", () => {
  let platform: TestPlatform;
  let mallory: { id: string; kubeconfig: string; token: string };

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    mallory = await platform.createCluster("budget-mallory");
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (args: string[], input?: string) =>
    kubectl(mallory.kubeconfig, args, { timeoutMs: 30_000, ...(input === undefined ? {} : { input }) });
  const pod = (name: string, limits?: Record<string, string>) =>
    JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: {
        containers: [{ name: "c", image: "busybox", ...(limits ? { resources: { limits } } : {}) }],
      },
    });

  it("shows the budget and its use through the management API, changeable only there", async () => {
    const before = await (await platform.admin("GET", `/v1/clusters/${mallory.id}`)).json();
    expect(before).toMatchObject({
      budget: { memory: "8Gi", cpu: "16", pods: "50", storage: "64Mi" },
      usage: { memory: "0", cpu: "0", pods: "0" },
    });
    const patched = await platform.admin("PATCH", `/v1/clusters/${mallory.id}`, {
      budget: { memory: "600Mi", pods: 5 },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ budget: { memory: "600Mi", cpu: "16", pods: "5" } });
    const bad = await platform.admin("PATCH", `/v1/clusters/${mallory.id}`, { budget: { memory: "lots" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: "invalid_request", message: 'budget.memory: "lots" is not a memory quantity' },
    });
    const student = await fetch(`${platform.url}/v1/clusters/${mallory.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${mallory.token}`, "content-type": "application/json" },
      body: JSON.stringify({ budget: { memory: "1Ti" } }),
    });
    expect(student.status).toBeGreaterThanOrEqual(401);
    expect(student.status).toBeLessThanOrEqual(403);
  });

  it("refuses a pod past the budget with kube-apiserver's quota message, counting default limits", async () => {
    expect((await k(["apply", "-f", "-"], pod("first"))).code).toBe(0);
    expect((await k(["apply", "-f", "-"], pod("second"))).code).toBe(0);
    const third = await k(["apply", "-f", "-"], pod("third"));
    expect(third.code).not.toBe(0);
    expect(third.stderr).toContain(
      'pods "third" is forbidden: exceeded quota: timonier-platform, requested: limits.memory=256Mi, used: limits.memory=512Mi, limited: limits.memory=600Mi',
    );
    const small = await k(["apply", "-f", "-"], pod("small", { memory: "64Mi", cpu: "100m" }));
    expect(small.code).toBe(0);
    const usage = (await (await platform.admin("GET", `/v1/clusters/${mallory.id}`)).json()) as {
      usage: unknown;
    };
    expect(usage.usage).toMatchObject({ memory: "576Mi", cpu: "2100m", pods: "3" });
  });

  it("shows the student the budget as a read-only quota, which no delete or edit from inside changes", async () => {
    const get = async () =>
      JSON.parse((await k(["get", "quota", "-n", "kube-system", "timonier-platform", "-o", "json"])).stdout);
    expect(await get()).toMatchObject({
      spec: { hard: { "limits.memory": "600Mi", pods: "5" } },
      status: { used: { "limits.memory": "576Mi", pods: "3" } },
    });
    expect((await k(["get", "quota", "-A"])).stdout).toMatch(/kube-system\s+timonier-platform/);
    const deleted = await k(["delete", "quota", "-n", "kube-system", "timonier-platform"]);
    expect(deleted.stderr).toContain(
      'resourcequotas "timonier-platform" is forbidden: it is this cluster\'s budget, set by the platform',
    );
    const patched = await k([
      "patch",
      "quota",
      "-n",
      "kube-system",
      "timonier-platform",
      "-p",
      '{"spec":{"hard":{"pods":"999"}}}',
    ]);
    expect(patched.code).not.toBe(0);
    expect((await get()).spec.hard.pods).toBe("5");
  });

  it("holds whatever the student deletes or creates inside the cluster", async () => {
    await k(["delete", "resourcequota,limitrange", "--all", "--all-namespaces"]);
    const quota = JSON.stringify({
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "generous" },
      spec: { hard: { "limits.memory": "1Ti", pods: "1000" } },
    });
    expect((await k(["apply", "-f", "-"], quota)).code).toBe(0);
    const refused = await k(["apply", "-f", "-"], pod("fourth"));
    expect(refused.stderr).toContain("exceeded quota: timonier-platform");
    const deployment = JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "many" },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: "many" } },
        template: {
          metadata: { labels: { app: "many" } },
          spec: { containers: [{ name: "c", image: "busybox" }] },
        },
      },
    });
    expect((await k(["apply", "-f", "-"], deployment)).code).toBe(0);
    // the ReplicaSet controller is refused too: its pods fail to be created, and nothing runs past the budget
    const events = async () =>
      (await k(["get", "events", "--field-selector", "reason=FailedCreate", "-o", "json"])).stdout;
    let seen = "";
    for (let i = 0; i < 100 && !seen.includes("timonier-platform"); i++) {
      seen = await events();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen).toContain("exceeded quota: timonier-platform");
    const pods = JSON.parse((await k(["get", "pods", "-o", "json"])).stdout).items;
    expect(pods.length).toBe(3);
  });

  it("refuses objects past the cluster's share of the database, and frees it when they go", async () => {
    const patched = await platform.admin("PATCH", `/v1/clusters/${mallory.id}`, {
      budget: { storage: "8Mi" },
    });
    expect(patched.status).toBe(200);
    const big = (name: string) =>
      fetch(`${platform.url}/clusters/${mallory.id}/api/v1/namespaces/default/configmaps`, {
        method: "POST",
        headers: { authorization: `Bearer ${mallory.token}`, "content-type": "application/json" },
        body: JSON.stringify({ metadata: { name }, data: { blob: "x".repeat(2 * 1024 * 1024) } }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await big(`blob-${i}`)).status);
    expect(statuses).toEqual([201, 201, 201, 403, 403]);
    const refused = await big("blob-5");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /^configmaps "blob-5" is forbidden: exceeded quota: timonier-platform, requested: objects.storage=\d+, used: objects.storage=\d+, limited: objects.storage=8Mi$/,
    );
    const detail = (await (await platform.admin("GET", `/v1/clusters/${mallory.id}`)).json()) as {
      usage: { storage: string };
    };
    expect(Number.parseInt(detail.usage.storage, 10)).toBeGreaterThan(6 * 1024 * 1024);
    expect((await k(["delete", "configmap", "blob-0", "blob-1"])).code).toBe(0);
    expect((await big("blob-6")).status).toBe(201);
  });
});
