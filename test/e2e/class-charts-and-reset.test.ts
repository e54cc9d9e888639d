import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { LABEL } from "../../workers/node-agent/runtime";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform, tokenOf } from "../support/platform";

const docker = dockerFromHost(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const INITIAL_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

interface Release {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chart: string;
  values: Record<string, unknown>;
}

interface Cluster {
  id: string;
  phase: string;
}

/**
 * A class's charts installed into each of its new clusters, and a cluster reset back to what it was born
 * with, through the management API and the real kubectl.
 */
describe("class charts and cluster reset", () => {
  let platform: TestPlatform;
  let teacher: string;
  let otherTeacher: string;
  let ann: { id: string; kubeconfig: string };

  const as = (token: string) => platform.as(token);
  const save = async (name: string, content: string) => {
    await mkdir(join(platform.workDir, "lab"), { recursive: true });
    const path = join(platform.workDir, "lab", `${name}.yaml`);
    await writeFile(path, content, { mode: 0o600 });
    return path;
  };
  const releasesOf = async (id: string) => {
    const res = await as(teacher)("GET", `/v1/clusters/${id}/releases`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: Release[] }).items;
  };
  /** The class's release deployed in the cluster, and its pod Running (seen with kubectl). */
  const siteRunning = async (id: string, kubeconfig: string) => {
    const release = await eventually(
      async () => (await releasesOf(id)).find((r) => r.name === "site" && r.status === "deployed"),
      60_000,
      `the class's release in ${id}`,
    );
    expect(release).toMatchObject({ namespace: "web", revision: 1, chart: "web-0.1.0" });
    await eventually(
      async () => {
        const r = await kubectl(kubeconfig, [
          "get",
          "pods",
          "-n",
          "web",
          "-l",
          "app.kubernetes.io/instance=site",
          "-o",
          "jsonpath={.items[*].status.phase}",
        ]);
        return r.stdout.trim() === "Running" ? true : undefined;
      },
      120_000,
      `the class's pod running in ${id}`,
    );
  };
  const namespaces = async (kubeconfig: string) => {
    const r = await kubectl(kubeconfig, ["get", "ns", "-o", "jsonpath={.items[*].metadata.name}"]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim().split(/\s+/).sort();
  };
  const phaseOf = async (id: string) =>
    ((await (await platform.admin("GET", `/v1/clusters/${id}`)).json()) as Cluster).phase;
  const containersOf = async (clusterId: string) =>
    docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${clusterId}`] } });

  beforeAll(async () => {
    platform = await startTestPlatform();
    const lab = await platform.admin("POST", "/v1/tenants", {
      name: "lab",
      charts: [
        {
          name: "site",
          namespace: "web",
          chart: { catalog: "web" },
          values: { replicaCount: 1, ingress: { enabled: false } },
        },
      ],
    });
    expect(lab.status).toBe(201);
    teacher = ((await lab.json()) as { teacherToken: string }).teacherToken;
    const other = await platform.admin("POST", "/v1/tenants", { name: "other" });
    otherTeacher = ((await other.json()) as { teacherToken: string }).teacherToken;
  });
  afterAll(async () => {
    await platform?.close();
  });

  it("installs the class's catalog chart into a new cluster: Helm's release record, its pods Running", async () => {
    const res = await as(teacher)("POST", "/v1/clusters", { name: "ann" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; kubeconfig: string };
    ann = { id: body.id, kubeconfig: await save("ann", body.kubeconfig) };
    await siteRunning(ann.id, ann.kubeconfig);
    const [release] = await releasesOf(ann.id);
    expect(release?.values).toEqual({ replicaCount: 1, ingress: { enabled: false } });
    // stored as Helm stores it, where `helm list` and kubectl see it
    const secrets = await kubectl(ann.kubeconfig, [
      "get",
      "secrets",
      "-n",
      "web",
      "-l",
      "owner=helm",
      "-o",
      "name",
    ]);
    expect(secrets.stdout.trim()).toBe("secret/sh.helm.release.v1.site.v1");
    const deployment = await kubectl(ann.kubeconfig, [
      "get",
      "deployment",
      "-n",
      "web",
      "site-web",
      "-o",
      "jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by} {.metadata.annotations.meta\\.helm\\.sh/release-name}",
    ]);
    expect(deployment.stdout).toBe("Helm site");
  });

  it("installs it into each cluster of a roster of 3", async () => {
    const res = await as(teacher)("POST", "/v1/tenants/lab/students", { students: ["bo", "cy", "di"] });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { id: string; student: string; kubeconfig: string }[] };
    expect(items.map((i) => i.student)).toEqual(["bo", "cy", "di"]);
    await Promise.all(items.map(async (i) => siteRunning(i.id, await save(i.student, i.kubeconfig))));
    // once each: the resync finds nothing more to install
    for (const i of items) expect((await releasesOf(i.id)).map((r) => r.revision)).toEqual([1]);
  });

  it("resets a cluster: what kubectl made is gone, the defaults and the class's release are back, the same kubeconfig opens it", async () => {
    const k = (...args: string[]) => kubectl(ann.kubeconfig, args, { timeoutMs: 120_000 });
    expect((await k("create", "namespace", "scratch")).code).toBe(0);
    expect((await k("create", "configmap", "notes", "-n", "scratch", "--from-literal=a=b")).code).toBe(0);
    const made = await k("create", "deployment", "hello", "--image=busybox", "--", "sleep", "3600");
    expect(made.code, made.stderr).toBe(0);
    expect((await k("rollout", "status", "deployment/hello", "--timeout=90s")).code).toBe(0);
    const before = await containersOf(ann.id);
    expect(before.length).toBeGreaterThan(0);
    const uidBefore = (await k("get", "ns", "default", "-o", "jsonpath={.metadata.uid}")).stdout;

    const res = await as(teacher)("POST", `/v1/clusters/${ann.id}/reset`);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: ann.id, name: "ann", tenant: "lab", phase: "Resetting" });
    await eventually(async () => ((await phaseOf(ann.id)) === "Active" ? true : undefined), 60_000, "Active");

    // everything the student made is gone, containers included
    expect((await k("get", "deployment", "hello")).stderr).toContain("NotFound");
    expect((await k("get", "namespace", "scratch")).stderr).toContain("NotFound");
    const gone = new Set(before.map((c) => c.Id));
    expect((await containersOf(ann.id)).filter((c) => gone.has(c.Id))).toEqual([]);
    // what a new cluster holds is there again, made anew
    expect(await namespaces(ann.kubeconfig)).toEqual(expect.arrayContaining(INITIAL_NAMESPACES));
    expect((await k("get", "ns", "default", "-o", "jsonpath={.metadata.uid}")).stdout).not.toBe(uidBefore);
    expect((await k("get", "service", "kubernetes", "-o", "name")).stdout.trim()).toBe("service/kubernetes");
    expect((await k("get", "clusterrole", "cluster-admin", "-o", "name")).stdout.trim()).toBe(
      "clusterrole.rbac.authorization.k8s.io/cluster-admin",
    );
    expect((await k("get", "serviceaccount", "default", "-o", "name")).stdout.trim()).toBe(
      "serviceaccount/default",
    );
    // and the class's chart is installed again, running
    await siteRunning(ann.id, ann.kubeconfig);
    expect(await namespaces(ann.kubeconfig)).toEqual([...INITIAL_NAMESPACES, "web"].sort());
    expect((await releasesOf(ann.id)).map((r) => [r.name, r.revision])).toEqual([["site", 1]]);
    // the cluster works as before: a new pod runs
    expect((await k("run", "again", "--image=busybox", "--", "sleep", "3600")).code).toBe(0);
    await eventually(
      async () =>
        (await k("get", "pod", "again", "-o", "jsonpath={.status.phase}")).stdout === "Running"
          ? true
          : undefined,
      90_000,
      "a pod after the reset",
    );
  });

  it("resets a cluster without a class's charts to an empty cluster that the same kubeconfig still opens", async () => {
    const plain = await platform.createCluster("plain");
    const k = (...args: string[]) => kubectl(plain.kubeconfig, args, { timeoutMs: 120_000 });
    expect((await k("create", "namespace", "lab1")).code).toBe(0);
    expect((await k("run", "sleeper", "-n", "lab1", "--image=busybox", "--", "sleep", "3600")).code).toBe(0);
    await eventually(
      async () =>
        (await k("get", "pod", "sleeper", "-n", "lab1", "-o", "jsonpath={.status.phase}")).stdout ===
        "Running"
          ? true
          : undefined,
      90_000,
      "sleeper running",
    );
    const started = performance.now();
    expect((await platform.admin("POST", `/v1/clusters/${plain.id}/reset`)).status).toBe(202);
    await eventually(
      async () => ((await phaseOf(plain.id)) === "Active" ? true : undefined),
      60_000,
      "Active",
    );
    console.log(
      `reset of a cluster with one pod: Active again after ${Math.round(performance.now() - started)} ms`,
    );
    expect(await namespaces(plain.kubeconfig)).toEqual(INITIAL_NAMESPACES);
    for (const ns of INITIAL_NAMESPACES) {
      // every namespace holds the CA's kube-root-ca.crt again, as a new cluster's do
      const all = await k(
        "get",
        "pods,deployments,configmaps,secrets",
        "-n",
        ns,
        "-o",
        "name",
        "--field-selector=metadata.name!=kube-root-ca.crt",
      );
      expect(all.stdout.trim(), ns).toBe("");
    }
    expect(await containersOf(plain.id)).toEqual([]);
    expect((await platform.admin("GET", `/v1/clusters/${plain.id}/releases`)).status).toBe(200);
    // the kubeconfig is the one it had, and GET …/kubeconfig still hands out the same token
    const again = await (await platform.admin("GET", `/v1/clusters/${plain.id}/kubeconfig`)).text();
    expect(tokenOf(again)).toBe(plain.token);
  });

  it("lets a teacher reset their own class's clusters only, never a student's token; unknown ids are 404", async () => {
    const forbidden = { error: { code: "forbidden", message: expect.any(String) } };
    const other = await as(otherTeacher)("POST", `/v1/clusters/${ann.id}/reset`);
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual(forbidden);
    const student = await as(
      tokenOf(await (await as(teacher)("GET", `/v1/clusters/${ann.id}/kubeconfig`)).text()),
    )("POST", `/v1/clusters/${ann.id}/reset`);
    expect(student.status).toBe(403);
    expect(await student.json()).toEqual(forbidden);
    expect(await phaseOf(ann.id)).toBe("Active");
    for (const id of ["nope", "00000000-0000-4000-8000-000000000000"]) {
      for (const token of [platform.adminToken, teacher]) {
        const res = await as(token)("POST", `/v1/clusters/${id}/reset`);
        expect(res.status, id).toBe(404);
        expect(await res.json()).toEqual({ error: { code: "not_found", message: expect.any(String) } });
      }
    }
  });
});
