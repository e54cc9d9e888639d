import { readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABEL } from "../../workers/node-agent/runtime";
import { type DockerLab, type LabEngine, startDockerLab } from "../support/docker-lab";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

interface NodeView {
  name: string;
  managed: boolean;
  pods: number;
  lastHeartbeat: string | null;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  conditions: { type: string; status: string; reason: string; message: string }[];
  taints: { key: string; effect: string; timeAdded?: string }[];
}

interface PodItem {
  metadata: { name: string; uid: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase: string };
}

const GRACE_SECONDS = 12;
const TOLERATION_SECONDS = 8;

/** Scheduled on lab-2 while it lives (node affinity outweighs every other score), elsewhere once it is gone. */
const PREFER_LAB_2 = {
  nodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      {
        weight: 100,
        preference: {
          matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["lab-2"] }],
        },
      },
    ],
  },
};

const STATEFULSET = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "db" },
  spec: {
    serviceName: "db",
    replicas: 2,
    selector: { matchLabels: { app: "db" } },
    template: {
      metadata: { labels: { app: "db" } },
      spec: { affinity: PREFER_LAB_2, containers: [{ name: "nginx", image: "nginx" }] },
    },
  },
};

/** Long enough to be running when lab-2 dies, short enough that its replacement completes soon after. */
const JOB = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "batch" },
  spec: {
    backoffLimit: 2,
    template: {
      spec: {
        restartPolicy: "Never",
        affinity: PREFER_LAB_2,
        containers: [{ name: "work", image: "busybox", command: ["sleep", "20"] }],
      },
    },
  },
};

interface JobStatus {
  succeeded?: number;
  conditions?: { type: string; status: string }[];
}

/**
 * Docker hosts registered on a running platform through the management API, as separate machines (the
 * lab's engines), one of which dies and comes back: the node lifecycle as Kubernetes runs it, with the
 * grace and the default toleration shortened through the platform's configuration.
 */
describe("nodes that come and go", () => {
  let lab: DockerLab;
  let platform: TestPlatform;
  let student: string;
  let studentToken: string;
  let admin: string;
  const names = ["lab-1", "lab-2", "lab-3"];
  const engine = (name: string) => lab.engines[names.indexOf(name)] as LabEngine;

  beforeAll(async () => {
    lab = await startDockerLab(3);
    // the platform's own node (the shared engine) takes no pod of this suite: they go to the lab's
    platform = await startTestPlatform({
      nodeTaints: "lab=elsewhere:NoSchedule",
      nodeMonitorGraceSeconds: GRACE_SECONDS,
      defaultTolerationSeconds: TOLERATION_SECONDS,
    });
    const cluster = await platform.createCluster("nodes-lifecycle");
    student = cluster.kubeconfig;
    studentToken = cluster.token;
    admin = `${student}.admin`;
    await writeFile(admin, (await readFile(student, "utf8")).replace(cluster.token, platform.adminToken));
  }, 240_000);
  afterAll(async () => {
    await platform?.close();
    await lab?.close();
  }, 120_000);

  const node = async (name: string) => {
    const res = await platform.admin("GET", `/v1/nodes/${name}`);
    return res.status === 200 ? ((await res.json()) as NodeView) : undefined;
  };
  const ready = (n: NodeView | undefined) => n?.conditions.find((c) => c.type === "Ready");
  const pods = async (selector: string) =>
    (
      JSON.parse((await kubectl(student, ["get", "pods", "-l", selector, "-o", "json"])).stdout) as {
        items: PodItem[];
      }
    ).items;

  it("registers Docker hosts with no restart, and refuses what is not a reachable engine or not the admin", async () => {
    for (const [i, name] of names.entries()) {
      const e = lab.engines[i] as LabEngine;
      const res = await platform.admin("POST", "/v1/nodes", {
        name,
        dockerHost: e.dockerHost,
        address: e.address,
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as NodeView;
      const info = await e.docker.info();
      expect(body).toMatchObject({ name, managed: true, capacity: { cpu: String(info.NCPU) } });
      expect(body.allocatable.memory).toBe(`${Math.floor(info.MemTotal / 1024)}Ki`);
    }
    const again = await platform.admin("POST", "/v1/nodes", {
      name: "lab-1",
      dockerHost: lab.engines[0]?.dockerHost,
      address: "198.18.0.99",
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("already_exists");
    const nowhere = await platform.admin("POST", "/v1/nodes", {
      name: "nowhere",
      dockerHost: "unix:///nonexistent/docker.sock",
      address: "198.18.0.98",
    });
    expect(nowhere.status).toBe(422);
    expect(((await nowhere.json()) as { error: { code: string } }).error.code).toBe("unreachable");
    const plain = await platform.admin("POST", "/v1/nodes", {
      name: "plain",
      dockerHost: "tcp://198.18.0.97:2375",
      address: "198.18.0.97",
    });
    expect(plain.status).toBe(422);
    const byStudent = await platform.as(studentToken)("GET", "/v1/nodes");
    expect(byStudent.status).toBe(403);

    for (const name of names)
      await eventually(
        async () => (ready(await node(name))?.status === "True" ? true : undefined),
        60_000,
        `${name} Ready`,
      );
    const doc = (await (await fetch(`${platform.url}/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/nodes", "/nodes/{name}"]));
    const listed = (await (await platform.admin("GET", "/v1/nodes")).json()) as { items: NodeView[] };
    expect(listed.items.map((n) => n.name)).toEqual(expect.arrayContaining([...names, platform.nodeName]));
    expect(ready(await node("lab-1"))).toMatchObject({
      reason: "KubeletReady",
      message: "kubelet is posting ready status",
    });
  });

  it("spreads a Deployment's pods over the nodes", async () => {
    expect(
      (await kubectl(student, ["create", "deployment", "web", "--image=nginx", "--replicas=6"])).code,
    ).toBe(0);
    expect(
      (
        await kubectl(student, ["rollout", "status", "deployment/web", "--timeout=120s"], {
          timeoutMs: 150_000,
        })
      ).code,
    ).toBe(0);
    const spread = new Map<string, number>();
    for (const p of await pods("app=web"))
      spread.set(p.spec.nodeName ?? "", (spread.get(p.spec.nodeName ?? "") ?? 0) + 1);
    expect([...spread.keys()].sort()).toEqual(names);
    const tolerations = JSON.parse(
      (
        await kubectl(student, [
          "get",
          "pods",
          "-l",
          "app=web",
          "-o",
          "jsonpath={.items[0].spec.tolerations}",
        ])
      ).stdout,
    );
    expect(tolerations).toContainEqual({
      key: "node.kubernetes.io/unreachable",
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds: TOLERATION_SECONDS,
    });
  });

  it("runs a StatefulSet's pods and a Job's pod on lab-2", async () => {
    for (const manifest of [STATEFULSET, JOB])
      expect((await kubectl(student, ["apply", "-f", "-"], { input: JSON.stringify(manifest) })).code).toBe(
        0,
      );
    await eventually(
      async () => {
        const running = [...(await pods("app=db")), ...(await pods("job-name=batch"))].filter(
          (p) => p.status.phase === "Running" && p.spec.nodeName === "lab-2",
        );
        return running.length === 3 ? true : undefined;
      },
      120_000,
      "db-0, db-1 and the Job's pod Running on lab-2",
    );
  });

  let lost: PodItem[] = [];

  it("marks a node whose engine died Unknown and tainted, and brings its pods back on the others", async () => {
    lost = [...(await pods("app=web")), ...(await pods("app=db")), ...(await pods("job-name=batch"))].filter(
      (p) => p.spec.nodeName === "lab-2",
    );
    expect(lost.filter((p) => p.metadata.labels?.app === "web").length).toBeGreaterThan(0);
    await engine("lab-2").kill();

    const unknown = await eventually(
      async () => {
        const n = await node("lab-2");
        return ready(n)?.status === "Unknown" ? n : undefined;
      },
      (GRACE_SECONDS + 30) * 1000,
      "lab-2 Unknown",
    );
    // the grace runs from the last heartbeat, which came up to a heartbeat period before the kill
    expect(Date.now() - Date.parse(unknown?.lastHeartbeat ?? "")).toBeGreaterThanOrEqual(
      GRACE_SECONDS * 1000,
    );
    expect(ready(unknown)).toMatchObject({
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
    });
    expect(unknown?.taints).toEqual(
      expect.arrayContaining([
        { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" },
        expect.objectContaining({ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }),
      ]),
    );
    const asKube = JSON.parse((await kubectl(student, ["get", "node", "lab-2", "-o", "json"])).stdout) as {
      spec: { taints: { key: string; effect: string }[] };
    };
    expect(asKube.spec.taints.map((t) => `${t.key}:${t.effect}`)).toEqual(
      expect.arrayContaining([
        "node.kubernetes.io/unreachable:NoSchedule",
        "node.kubernetes.io/unreachable:NoExecute",
      ]),
    );
    expect((await kubectl(student, ["get", "node", "lab-2"])).stdout).toMatch(/lab-2\s+NotReady/);

    await eventually(
      async () => {
        const now = await pods("app=web");
        const running = now.filter((p) => p.status.phase === "Running" && p.spec.nodeName !== "lab-2");
        return running.length === 6 && now.length === 6 ? true : undefined;
      },
      (TOLERATION_SECONDS + 90) * 1000,
      "six pods Running off lab-2",
    );
  });

  it("makes a lost StatefulSet pod again under its own name on another node", async () => {
    const db = await eventually(
      async () => {
        const now = await pods("app=db");
        return now.length === 2 &&
          now.every((p) => p.status.phase === "Running" && p.spec.nodeName !== "lab-2")
          ? now
          : undefined;
      },
      90_000,
      "db-0 and db-1 Running off lab-2",
    );
    expect(db.map((p) => p.metadata.name).sort()).toEqual(["db-0", "db-1"]);
    for (const p of db) expect(lost.map((l) => l.metadata.uid)).not.toContain(p.metadata.uid);
    expect(
      (
        await kubectl(student, ["rollout", "status", "statefulset/db", "--timeout=60s"], {
          timeoutMs: 90_000,
        })
      ).code,
    ).toBe(0);
  });

  it("replaces a Job's pod lost with its node and completes", async () => {
    const status = await eventually(
      async () => {
        const job = JSON.parse((await kubectl(student, ["get", "job", "batch", "-o", "json"])).stdout) as {
          status: JobStatus;
        };
        return job.status.conditions?.some((c) => c.type === "Complete" && c.status === "True")
          ? job.status
          : undefined;
      },
      90_000,
      "the Job complete",
    );
    expect(status.succeeded).toBe(1);
    const done = (await pods("job-name=batch")).filter((p) => p.status.phase === "Succeeded");
    expect(done).toHaveLength(1);
    expect(done[0]?.spec.nodeName).not.toBe("lab-2");
    expect(lost.map((l) => l.metadata.uid)).not.toContain(done[0]?.metadata.uid);
  });

  it("makes a node that comes back Ready again, and it removes the containers of pods that are gone", async () => {
    await engine("lab-2").start();
    await eventually(
      async () => {
        const n = await node("lab-2");
        return ready(n)?.status === "True" && n?.taints.length === 0 ? true : undefined;
      },
      60_000,
      "lab-2 Ready without taints",
    );
    const docker = engine("lab-2").docker;
    await eventually(
      async () => {
        const left = await docker.listContainers({ all: true, filters: { label: [LABEL.podUid] } });
        const stale = left.filter((c) => lost.some((p) => p.metadata.uid === c.Labels[LABEL.podUid]));
        return stale.length === 0 ? true : undefined;
      },
      60_000,
      "the lost pods' containers removed from lab-2",
    );
  });

  it("lets the admin cordon a node for every cluster, where a student's cordon stays in their cluster", async () => {
    expect((await kubectl(admin, ["cordon", "node/lab-1"])).code).toBe(0);
    expect((await node("lab-1"))?.taints).toContainEqual({
      key: "node.kubernetes.io/unschedulable",
      effect: "NoSchedule",
    });
    const other = await platform.createCluster("nodes-lifecycle-other");
    expect((await kubectl(other.kubeconfig, ["get", "node", "lab-1"])).stdout).toContain(
      "SchedulingDisabled",
    );
    expect((await kubectl(other.kubeconfig, ["cordon", "node/lab-3"])).code).toBe(0);
    expect((await node("lab-3"))?.taints ?? []).not.toContainEqual(
      expect.objectContaining({ key: "node.kubernetes.io/unschedulable" }),
    );
    expect((await kubectl(student, ["get", "node", "lab-3"])).stdout).not.toContain("SchedulingDisabled");
    expect((await kubectl(admin, ["uncordon", "node/lab-1"])).code).toBe(0);
    expect((await kubectl(other.kubeconfig, ["get", "node", "lab-1"])).stdout).not.toContain(
      "SchedulingDisabled",
    );
  });

  it("drains and removes a node through DELETE /v1/nodes, within a PodDisruptionBudget", async () => {
    expect(
      (
        await kubectl(student, [
          "create",
          "poddisruptionbudget",
          "web",
          "--selector=app=web",
          "--max-unavailable=0",
        ])
      ).code,
    ).toBe(0);
    await eventually(
      async () =>
        (await kubectl(student, ["get", "pdb", "web", "-o", "jsonpath={.status.currentHealthy}"])).stdout ===
        "6"
          ? true
          : undefined,
      30_000,
      "the budget counted",
    );
    const refused = await platform.admin("DELETE", "/v1/nodes/lab-3");
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("disruption_budget");
    expect((await node("lab-3"))?.taints).toContainEqual({
      key: "node.kubernetes.io/unschedulable",
      effect: "NoSchedule",
    });

    expect((await kubectl(student, ["delete", "pdb", "web"])).code).toBe(0);
    const drained = await platform.admin("DELETE", "/v1/nodes/lab-3");
    expect(drained.status).toBe(202);
    await eventually(async () => ((await node("lab-3")) ? undefined : true), 90_000, "lab-3 removed");
    await eventually(
      async () => {
        const now = await pods("app=web");
        return now.length === 6 &&
          now.every((p) => p.status.phase === "Running" && p.spec.nodeName !== "lab-3")
          ? true
          : undefined;
      },
      90_000,
      "six pods Running off lab-3",
    );
  });
});
