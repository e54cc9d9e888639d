import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

interface PodJson {
  metadata: {
    name: string;
    creationTimestamp: string;
    deletionTimestamp?: string;
    labels: Record<string, string>;
  };
  spec: { containers: { image: string }[]; hostname?: string; subdomain?: string };
  status: { phase: string; conditions?: { type: string; status: string; lastTransitionTime: string }[] };
}

const manifest = (replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "web" },
  spec: {
    serviceName: "nginx",
    replicas,
    selector: { matchLabels: { app: "nginx" } },
    template: {
      metadata: { labels: { app: "nginx" } },
      spec: { terminationGracePeriodSeconds: 5, containers: [{ name: "nginx", image: "nginx:1.25" }] },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: "www" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      },
    ],
  },
});

describe("statefulsets driven by the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kubeconfig = (await platform.createCluster("sts")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 150_000 });
  const pods = async () =>
    (JSON.parse((await k("get", "pods", "-l", "app=nginx", "-o", "json")).stdout).items as PodJson[]).filter(
      (p) => !p.metadata.deletionTimestamp,
    );
  /**
   * Pod names in the messages of the set's pod events with this reason, in the order they were recorded,
   * each as many times as it was counted (a repeated event bumps the first one's count, as in Kubernetes).
   */
  const eventPods = async (reason: string) => {
    const items = JSON.parse((await k("get", "events", "-o", "json")).stdout).items as {
      reason: string;
      message: string;
      count: number;
      metadata: { resourceVersion: string };
      involvedObject: { kind: string };
    }[];
    return items
      .filter((e) => e.involvedObject.kind === "StatefulSet" && e.reason === reason)
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .flatMap((e) => {
        const pod = /^(?:create|delete) Pod (\S+) in StatefulSet/.exec(e.message)?.[1];
        return pod ? Array<string>(e.count).fill(pod) : [];
      });
  };
  const readyAt = (p: PodJson) =>
    Date.parse(
      p.status.conditions?.find((c) => c.type === "Ready" && c.status === "True")?.lastTransitionTime ?? "",
    );

  it("creates web-0, web-1 and web-2 in order, each once the previous one is Ready", async () => {
    const headless = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "nginx" },
      spec: { clusterIP: "None", selector: { app: "nginx" }, ports: [{ port: 80 }] },
    };
    const list = { apiVersion: "v1", kind: "List", items: [headless, manifest(3)] };
    const created = await kubectl(kubeconfig, ["apply", "-f", "-"], { input: JSON.stringify(list) });
    expect(created.stdout).toBe("service/nginx created\nstatefulset.apps/web created\n");
    const status = await k("rollout", "status", "statefulset/web", "--timeout=120s");
    // kube-apiserver defaults partition to 0, and kubectl reports any set with a partition this way
    expect(status.stdout).toContain("partitioned roll out complete: 3 new pods have been updated...");
    const byName = new Map((await pods()).map((p) => [p.metadata.name, p]));
    expect([...byName.keys()].sort()).toEqual(["web-0", "web-1", "web-2"]);
    expect(await eventPods("SuccessfulCreate")).toEqual(["web-0", "web-1", "web-2"]);
    const claims = await k(
      "get",
      "pvc",
      "-o",
      "jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}",
    );
    expect(claims.stdout.trim().split(" ").sort()).toEqual([
      "www-web-0=Bound",
      "www-web-1=Bound",
      "www-web-2=Bound",
    ]);
    for (const [before, after] of [
      ["web-0", "web-1"],
      ["web-1", "web-2"],
    ] as const) {
      const prev = byName.get(before) as PodJson;
      expect(Date.parse((byName.get(after) as PodJson).metadata.creationTimestamp)).toBeGreaterThanOrEqual(
        Math.floor(readyAt(prev) / 1000) * 1000,
      );
    }
    const web1 = byName.get("web-1") as PodJson;
    expect(web1.spec).toMatchObject({ hostname: "web-1", subdomain: "nginx" });
    expect(web1.metadata.labels).toMatchObject({ "statefulset.kubernetes.io/pod-name": "web-1" });
    expect((await k("exec", "web-1", "--", "hostname")).stdout.trim()).toBe("web-1");
    // each pod is reachable at <pod>.<serviceName> through the headless service
    await eventually(
      async () => {
        const r = await k("exec", "web-0", "--", "sh", "-c", "timeout 3 wget -q -O - http://web-2.nginx/");
        return r.stdout.includes("Welcome to nginx") ? true : undefined;
      },
      30_000,
      "web-2.nginx answering from web-0",
    );
  });

  it("prints like kube-apiserver and belongs to `all`", async () => {
    expect((await k("get", "sts")).stdout).toMatch(/^NAME\s+READY\s+AGE\nweb\s+3\/3\s+\S+\n$/);
    expect((await k("get", "all")).stdout).toContain("statefulset.apps/web");
    expect((await k("describe", "sts", "web")).stdout).toMatch(/Pods Status:\s+3 Running/);
    const sts = JSON.parse((await k("get", "sts", "web", "-o", "json")).stdout);
    expect(sts.spec.volumeClaimTemplates[0]).toMatchObject({
      metadata: { name: "www" },
      status: { phase: "Pending" },
    });
    expect(sts.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
    });
  });

  it("rolls a new image from the highest ordinal down, and records the history", async () => {
    expect((await k("set", "image", "statefulset/web", "nginx=nginx:1.27")).stdout).toBe(
      "statefulset.apps/web image updated\n",
    );
    const status = await k("rollout", "status", "statefulset/web", "--timeout=120s");
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("partitioned roll out complete: 3 new pods have been updated...");
    expect(await eventPods("SuccessfulDelete")).toEqual(["web-2", "web-1", "web-0"]);
    const sts = JSON.parse((await k("get", "sts", "web", "-o", "json")).stdout);
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
    const now = await pods();
    expect(now.map((p) => p.spec.containers[0]?.image)).toEqual(["nginx:1.27", "nginx:1.27", "nginx:1.27"]);
    expect(
      now.every((p) => p.metadata.labels["controller-revision-hash"] === sts.status.updateRevision),
    ).toBe(true);
    expect((await k("rollout", "history", "statefulset/web")).stdout).toMatch(
      /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/,
    );
    expect((await k("get", "controllerrevisions")).stdout).toMatch(/^NAME\s+CONTROLLER\s+REVISION\s+AGE\n/);
  });

  it("rolls back with rollout undo", async () => {
    expect((await k("rollout", "undo", "statefulset/web")).stdout).toBe("statefulset.apps/web rolled back\n");
    expect((await k("rollout", "status", "statefulset/web", "--timeout=120s")).code).toBe(0);
    await eventually(
      async () =>
        (await pods()).every((p) => p.spec.containers[0]?.image === "nginx:1.25") ? true : undefined,
      60_000,
      "pods back on nginx:1.25",
    );
    expect((await k("rollout", "history", "statefulset/web")).stdout).toMatch(/\n2\s+<none>\n3\s+<none>/);
  });

  it("scales down from the highest ordinal", async () => {
    const before = await eventPods("SuccessfulDelete");
    // web-2 and web-1 go; their "delete Pod" events repeat the rollout's, so their counts grow
    expect((await k("scale", "statefulset/web", "--replicas=1")).stdout).toBe(
      "statefulset.apps/web scaled\n",
    );
    await eventually(
      async () => {
        const names = (await pods()).map((p) => p.metadata.name);
        return names.length === 1 && names[0] === "web-0" ? true : undefined;
      },
      90_000,
      "only web-0 left",
    );
    const after = await eventPods("SuccessfulDelete");
    const deleted = (all: string[], pod: string) => all.filter((p) => p === pod).length;
    expect(["web-0", "web-1", "web-2"].map((p) => deleted(after, p) - deleted(before, p))).toEqual([0, 1, 1]);
    expect((await k("rollout", "status", "statefulset/web", "--timeout=60s")).code).toBe(0);
  });

  it("deletes the set, its pods and its revisions", async () => {
    expect((await k("delete", "statefulset", "web")).stdout).toBe('statefulset.apps "web" deleted\n');
    await eventually(
      async () =>
        (await k("get", "pods,controllerrevisions", "-o", "name")).stdout === "" ? true : undefined,
      90_000,
      "dependents gone",
    );
  });
});
