import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { LABEL } from "../../workers/node-agent/runtime";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const docker = dockerFromHost(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");

/** How long a cluster of the test's class may stay idle: well above the API's activity flush (5 s). */
const IDLE = "15s";

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - { name: c, image: busybox, command: ["sleep", "3600"] }
---
apiVersion: v1
kind: Pod
metadata: { name: keeper }
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{ name: data, emptyDir: {} }]
  containers:
  - { name: c, image: busybox, command: ["sleep", "3600"], volumeMounts: [{ name: data, mountPath: /data }] }
`;

interface PodView {
  metadata: { name: string };
  status: {
    phase?: string;
    podIP?: string;
    containerStatuses?: { containerID?: string; ready?: boolean; state?: { running?: unknown } }[];
  };
}

describe("sleep: idle clusters lose their containers, keep their objects, and wake on the next request", () => {
  let platform: TestPlatform;
  let ann: { id: string; kubeconfig: string };
  let bob: { id: string; kubeconfig: string };

  const create = async (name: string) => {
    const res = await platform.admin("POST", "/v1/clusters", { name, tenant: "sleepers" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; kubeconfig: string };
    const kubeconfig = join(platform.workDir, `${name}.yaml`);
    await writeFile(kubeconfig, body.kubeconfig);
    return { id: body.id, kubeconfig };
  };
  const phaseOf = async (id: string) =>
    ((await (await platform.admin("GET", `/v1/clusters/${id}`)).json()) as { phase: string }).phase;
  const containersOf = (clusterId: string) =>
    docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${clusterId}`] } });
  const pods = async (kubeconfig: string) => {
    const got = await kubectl(kubeconfig, ["get", "pods", "-o", "json"]);
    expect(got.code, got.stderr).toBe(0);
    return (JSON.parse(got.stdout) as { items: PodView[] }).items;
  };
  const running = (p: PodView) =>
    p.status.phase === "Running" &&
    (p.status.containerStatuses ?? []).length > 0 &&
    (p.status.containerStatuses ?? []).every((c) => c.ready && c.state?.running);

  beforeAll(async () => {
    platform = await startTestPlatform({ resyncSeconds: 2 });
    const res = await platform.admin("POST", "/v1/tenants", { name: "sleepers", idleBeforeSleep: IDLE });
    expect(res.status).toBe(201);
    ann = await create("ann");
    bob = await create("bob");
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  it("a slept cluster has no containers and wakes on `kubectl get pods` with its Deployment's pods Running again", async () => {
    const applied = await kubectl(ann.kubeconfig, ["apply", "-f", "-"], { input: MANIFEST });
    expect(applied.code, applied.stderr).toBe(0);
    const before = await eventually(
      async () => {
        const items = await pods(ann.kubeconfig);
        return items.length === 3 && items.every(running) ? items : undefined;
      },
      90_000,
      "ann's three pods running",
    );
    const written = await kubectl(ann.kubeconfig, [
      "exec",
      "keeper",
      "--",
      "sh",
      "-c",
      "echo kept > /data/file",
    ]);
    expect(written.code, written.stderr).toBe(0);

    // bob keeps using his cluster meanwhile: it must stay awake
    let busy = true;
    const bobUses = (async () => {
      while (busy) {
        await kubectl(bob.kubeconfig, ["get", "pods"]);
        await new Promise((r) => setTimeout(r, 2_000));
      }
    })();

    const asleepAt = Date.now();
    await eventually(
      async () => ((await phaseOf(ann.id)) === "Sleeping" ? true : undefined),
      60_000,
      "ann's cluster sleeping",
    );
    console.log(
      `ann's cluster fell asleep ${((Date.now() - asleepAt) / 1000).toFixed(1)} s after its last use`,
    );
    await eventually(
      async () => ((await containersOf(ann.id)).length === 0 ? true : undefined),
      30_000,
      "no container of ann's cluster left",
    );
    // its objects stay in Postgres: the class overview still counts its pods
    const overview = (await (await platform.admin("GET", "/v1/tenants/sleepers/overview")).json()) as {
      students: { student: string; phase: string; pods: Record<string, number> }[];
    };
    const annView = overview.students.find((s) => s.student === "ann");
    expect(annView?.phase).toBe("Sleeping");
    expect(Object.values(annView?.pods ?? {}).reduce((a, b) => a + b, 0)).toBe(3);
    // the sleep is stable: a few resyncs later nothing was started again
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await containersOf(ann.id)).toHaveLength(0);
    expect(await phaseOf(ann.id)).toBe("Sleeping");
    busy = false;
    await bobUses;
    expect(await phaseOf(bob.id)).toBe("Active");

    // wake-up: the request is answered with the pods as they were, and they run again within seconds
    const oldContainers = new Set(
      before.flatMap((p) => (p.status.containerStatuses ?? []).map((c) => c.containerID)),
    );
    const wakeStarted = Date.now();
    const seen = await pods(ann.kubeconfig);
    expect(seen.map((p) => p.metadata.name).sort()).toEqual(before.map((p) => p.metadata.name).sort());
    const after = await eventually(
      async () => {
        const items = await pods(ann.kubeconfig);
        const fresh = items.every(
          (p) =>
            running(p) && (p.status.containerStatuses ?? []).every((c) => !oldContainers.has(c.containerID)),
        );
        return items.length === 3 && fresh ? items : undefined;
      },
      60_000,
      "ann's pods running again",
    );
    const wakeSeconds = (Date.now() - wakeStarted) / 1000;
    console.log(`ann's cluster woke with its 3 pods Running in ${wakeSeconds.toFixed(2)} s`);
    expect(await phaseOf(ann.id)).toBe("Active");
    expect(after.map((p) => p.metadata.name).sort()).toEqual(before.map((p) => p.metadata.name).sort());
    const ipOf = (items: PodView[]) =>
      Object.fromEntries(items.map((p) => [p.metadata.name, p.status.podIP]));
    expect(ipOf(after)).toEqual(ipOf(before));
    const kept = await kubectl(ann.kubeconfig, ["exec", "keeper", "--", "cat", "/data/file"]);
    expect(kept.stdout.trim(), kept.stderr).toBe("kept");
    // its network works again: the pods resolve the cluster's DNS through the netd that came back
    await eventually(
      async () => {
        const dns = await kubectl(ann.kubeconfig, [
          ...["exec", "keeper", "--", "nslookup", "kubernetes.default.svc.cluster.local"],
        ]);
        return dns.code === 0 ? true : undefined;
      },
      15_000,
      "the cluster's DNS answering in a woken pod",
    );
  }, 240_000);

  it("wakes through the management API as well", async () => {
    await eventually(
      async () => ((await phaseOf(ann.id)) === "Sleeping" ? true : undefined),
      60_000,
      "ann's cluster sleeping again",
    );
    const res = await platform.admin("POST", `/v1/clusters/${ann.id}/wake`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { phase: string }).phase).toBe("Active");
    await eventually(
      async () => ((await containersOf(ann.id)).length >= 4 ? true : undefined),
      30_000,
      "ann's containers back",
    );
  }, 120_000);
});
