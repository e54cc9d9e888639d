import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { LABEL } from "../../workers/node-agent/runtime";
import { untarText } from "../support/archive";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform, tokenOf } from "../support/platform";

const docker = dockerFromHost(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const forbidden = { error: { code: "forbidden", message: expect.any(String) } };

interface RosterItem {
  id: string;
  student: string;
  created: boolean;
  kubeconfig: string;
}

/** Runs `task` over `items`, `limit` at a time. */
async function limited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await task(items[i] as T);
      }
    }),
  );
  return out;
}

describe("classes: teachers, rosters and tokens, with the real kubectl", () => {
  let platform: TestPlatform;
  let teacherA: string;
  let teacherB: string;
  let zoe: { id: string; kubeconfig: string };

  const as = (token: string) => platform.as(token);
  const save = async (dir: string, name: string, content: string) => {
    await mkdir(join(platform.workDir, dir), { recursive: true });
    const path = join(platform.workDir, dir, name);
    await writeFile(path, content, { mode: 0o600 });
    return path;
  };
  const containersOf = async (clusterId: string) =>
    docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${clusterId}`] } });
  const runSleeper = async (kubeconfig: string, name: string) => {
    expect((await kubectl(kubeconfig, ["run", name, "--image=busybox", "--", "sleep", "3600"])).code).toBe(0);
    await eventually(
      async () =>
        (await kubectl(kubeconfig, ["get", "pod", name, "-o", "jsonpath={.status.phase}"])).stdout ===
        "Running"
          ? true
          : undefined,
      60_000,
      `${name} running`,
    );
  };

  beforeAll(async () => {
    platform = await startTestPlatform();
    const a = await platform.admin("POST", "/v1/tenants", { name: "class-a", budget: { pods: 10 } });
    expect(a.status).toBe(201);
    teacherA = ((await a.json()) as { teacherToken: string }).teacherToken;
    const b = await platform.admin("POST", "/v1/tenants", { name: "class-b" });
    teacherB = ((await b.json()) as { teacherToken: string }).teacherToken;
    const created = await as(teacherB)("POST", "/v1/clusters", { name: "zoe" });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; kubeconfig: string };
    zoe = { id: body.id, kubeconfig: await save("class-b", "zoe.yaml", body.kubeconfig) };
  });
  afterAll(async () => {
    await platform?.close();
  });

  it("gives a roster of 60 students 60 kubeconfigs that kubectl accepts, from one archive", async () => {
    const students = Array.from({ length: 60 }, (_, i) => `student-${String(i).padStart(2, "0")}`);
    const started = performance.now();
    const res = await as(teacherA)("POST", "/v1/tenants/class-a/students?format=tar", { students });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/gzip");
    const files = await untarText(await res.arrayBuffer());
    const answered = performance.now() - started;
    expect(Object.keys(files).sort()).toEqual(students.map((s) => `${s}.yaml`));
    const paths = await Promise.all(
      Object.entries(files).map(([name, content]) => save("class-a", name, content)),
    );
    const results = await limited(paths, 6, (path) => kubectl(path, ["get", "ns", "-o", "name"]));
    const all = performance.now() - started;
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("namespace/default");
    }
    console.log(
      `roster of 60: archive in ${Math.round(answered)} ms, all 60 kubeconfigs accepted by kubectl after ${Math.round(all)} ms`,
    );
    // 60 clusters, 60 tokens
    expect(new Set(Object.values(files).map((f) => /server: (\S+)/.exec(f)?.[1])).size).toBe(60);
    expect(new Set(Object.values(files).map(tokenOf)).size).toBe(60);

    // posting again changes nothing and hands the same kubeconfigs back
    const again = (await (
      await as(teacherA)("POST", "/v1/tenants/class-a/students", { students: [...students, "late-comer"] })
    ).json()) as { items: RosterItem[] };
    expect(again.items.filter((i) => i.created).map((i) => i.student)).toEqual(["late-comer"]);
    for (const item of again.items.slice(0, 60)) expect(item.kubeconfig).toBe(files[`${item.student}.yaml`]);
    const listed = (await (await as(teacherA)("GET", "/v1/clusters")).json()) as { items: unknown[] };
    expect(listed.items).toHaveLength(61);
  });

  it("refuses a roster of 10,000 names with the limit, and writes nothing", async () => {
    const students = Array.from({ length: 10_000 }, (_, i) => `s-${i}`);
    const res = await as(teacherA)("POST", "/v1/tenants/class-a/students", { students });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "invalid", message: expect.stringContaining("at most 500 students") },
    });
    const listed = (await (await as(teacherA)("GET", "/v1/clusters")).json()) as { items: unknown[] };
    expect(listed.items).toHaveLength(61);
  });

  it("keeps teacher A out of class B: list, see, create, delete, kubeconfigs", async () => {
    const a = as(teacherA);
    const mine = (await (await a("GET", "/v1/clusters")).json()) as {
      items: { tenant: string; id: string }[];
    };
    expect(mine.items.every((c) => c.tenant === "class-a")).toBe(true);
    expect(mine.items.map((c) => c.id)).not.toContain(zoe.id);
    const attempts: [string, string, unknown?][] = [
      ["GET", "/v1/clusters?tenant=class-b"],
      ["GET", "/v1/tenants/class-b"],
      ["GET", `/v1/clusters/${zoe.id}`],
      ["POST", "/v1/clusters", { name: "mallory", tenant: "class-b" }],
      ["POST", "/v1/tenants/class-b/students", { students: ["mallory"] }],
      ["DELETE", `/v1/clusters/${zoe.id}`],
      ["DELETE", "/v1/tenants/class-b/students/zoe"],
      ["GET", `/v1/clusters/${zoe.id}/kubeconfig`],
      ["POST", `/v1/clusters/${zoe.id}/kubeconfig/rotate`],
      ["GET", `/v1/clusters/${zoe.id}/releases`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await a(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await res.json(), `${method} ${path}`).toEqual(forbidden);
    }
    // zoe's cluster is untouched and still hers
    expect((await kubectl(zoe.kubeconfig, ["get", "ns", "default", "-o", "name"])).stdout.trim()).toBe(
      "namespace/default",
    );
    const b = (await (await as(teacherB)("GET", "/v1/clusters")).json()) as { items: { name: string }[] };
    expect(b.items.map((c) => c.name)).toEqual(["zoe"]);
  });

  it("refuses a student's cluster token and ServiceAccount token on the management API", async () => {
    const sa = await kubectl(zoe.kubeconfig, ["create", "token", "default"]);
    expect(sa.code, sa.stderr).toBe(0);
    const kubeconfig = await (await as(teacherB)("GET", `/v1/clusters/${zoe.id}/kubeconfig`)).text();
    for (const token of [tokenOf(kubeconfig), sa.stdout.trim()]) {
      for (const path of ["/v1/clusters", `/v1/clusters/${zoe.id}`, "/v1/tenants/class-b"]) {
        const res = await as(token)("GET", path);
        expect(res.status, path).toBe(403);
        expect(await res.json()).toEqual(forbidden);
      }
    }
  });

  it("rotates tokens: the old teacher token and the old kubeconfig stop at once, the new ones work", async () => {
    const rotated = await as(teacherB)("POST", "/v1/tenants/class-b/token");
    expect(rotated.status).toBe(200);
    const fresh = ((await rotated.json()) as { teacherToken: string }).teacherToken;
    const old = await as(teacherB)("GET", "/v1/clusters");
    expect(old.status).toBe(403);
    expect(await old.json()).toEqual(forbidden);
    expect((await as(fresh)("GET", "/v1/clusters")).status).toBe(200);
    teacherB = fresh;

    // used just before, so the API holds it in its token cache
    expect((await kubectl(zoe.kubeconfig, ["get", "ns", "-o", "name"])).code).toBe(0);
    const res = await as(teacherB)("POST", `/v1/clusters/${zoe.id}/kubeconfig/rotate`);
    expect(res.status).toBe(200);
    const next = await save("class-b", "zoe-rotated.yaml", await res.text());
    const refused = await kubectl(zoe.kubeconfig, ["get", "ns", "-o", "name"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Unauthorized|provide credentials/);
    const accepted = await kubectl(next, ["get", "ns", "-o", "name"]);
    expect(accepted.code, accepted.stderr).toBe(0);
    zoe = { ...zoe, kubeconfig: next };
  });

  it("shows the class at a glance: phases, last activity, pods by phase and what fails, with why", async () => {
    const kubeconfig = join(platform.workDir, "class-a", "student-03.yaml");
    expect((await kubectl(kubeconfig, ["run", "typo", "--image=nginxx"])).code).toBe(0);
    type Overview = {
      tenant: string;
      students: {
        student: string;
        phase: string;
        lastActivity: string | null;
        pods: Record<string, number>;
        failing: { pod: string; reason: string }[];
        usage: { pods: string };
      }[];
    };
    const student = async () => {
      const res = await as(teacherA)("GET", "/v1/tenants/class-a/overview");
      expect(res.status).toBe(200);
      const overview = (await res.json()) as Overview;
      expect(overview.students.length).toBeGreaterThanOrEqual(60);
      return overview.students.find((s) => s.student === "student-03");
    };
    const seen = await eventually(
      async () => {
        const s = await student();
        return s?.failing.length && s.lastActivity ? s : undefined;
      },
      60_000,
      "student-03's failing pod and activity in the overview",
    );
    expect(seen).toMatchObject({
      phase: "Active",
      pods: { Pending: 1 },
      failing: [{ pod: "typo", reason: "ErrImageNeverPull" }],
      usage: { pods: "1" },
    });
    expect(Date.now() - Date.parse(seen.lastActivity ?? "")).toBeLessThan(120_000);
    expect((await as(teacherB)("GET", "/v1/tenants/class-a/overview")).status).toBe(403);
  });

  it("evaluates the class's exercise checks on each student's live objects, flipping as a student works", async () => {
    const checks = [
      {
        name: "deployment ready",
        resource: "deployment/monnginx",
        jsonPath: "{.status.readyReplicas}",
        op: ">=",
        value: "1",
      },
      { name: "nodeport", resource: "svc/monnginx", jsonPath: "{.spec.type}", op: "==", value: "NodePort" },
    ];
    const bad = await as(teacherA)("POST", "/v1/tenants/class-a/checks", {
      checks: [{ ...checks[0], resource: "widget/x" }],
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'checks[0].resource: the server doesn\'t have a resource type "widget"',
    );
    expect((await as(teacherB)("POST", "/v1/tenants/class-a/checks", { checks })).status).toBe(403);
    expect((await as(teacherA)("POST", "/v1/tenants/class-a/checks", { checks })).status).toBe(200);
    type Results = {
      students: { student: string; results: { check: string; pass: boolean; seen: string | null }[] }[];
    };
    const resultsOf = async (name: string) => {
      const res = await as(teacherA)("GET", "/v1/tenants/class-a/checks");
      expect(res.status).toBe(200);
      return ((await res.json()) as Results).students.find((s) => s.student === name)?.results;
    };
    expect(await resultsOf("student-04")).toEqual([
      { check: "deployment ready", pass: false, seen: null },
      { check: "nodeport", pass: false, seen: null },
    ]);
    const kubeconfig = join(platform.workDir, "class-a", "student-04.yaml");
    expect((await kubectl(kubeconfig, ["create", "deployment", "monnginx", "--image=nginx"])).code).toBe(0);
    expect(
      (await kubectl(kubeconfig, ["create", "service", "nodeport", "monnginx", "--tcp=8080:80"])).code,
    ).toBe(0);
    const done = await eventually(
      async () => {
        const results = await resultsOf("student-04");
        return results?.every((r) => r.pass) ? results : undefined;
      },
      90_000,
      "student-04's checks passing",
    );
    expect(done).toEqual([
      { check: "deployment ready", pass: true, seen: "1" },
      { check: "nodeport", pass: true, seen: "NodePort" },
    ]);
    expect((await resultsOf("student-05"))?.every((r) => !r.pass)).toBe(true);
  });

  it("tears a student's cluster down when the name leaves the roster", async () => {
    const kubeconfig = join(platform.workDir, "class-a", "student-07.yaml");
    await runSleeper(kubeconfig, "sleeper");
    const id = (
      (await (await as(teacherA)("GET", "/v1/clusters")).json()) as { items: { id: string; name: string }[] }
    ).items.find((c) => c.name === "student-07")?.id as string;
    expect((await containersOf(id)).length).toBeGreaterThan(0);
    const res = await as(teacherA)("DELETE", "/v1/tenants/class-a/students/student-07");
    expect(res.status).toBe(202);
    await eventually(
      async () => ((await as(teacherA)("GET", `/v1/clusters/${id}`)).status === 404 ? true : undefined),
      60_000,
      "student-07's cluster gone",
    );
    expect(await containersOf(id)).toEqual([]);
    expect(await docker.listNetworks({ filters: { name: [`timonier-${id}`] } })).toEqual([]);
    // the API's token cache holds a cluster for up to 2 s
    await eventually(
      async () => ((await kubectl(kubeconfig, ["get", "ns"])).code !== 0 ? true : undefined),
      10_000,
      "the old kubeconfig refused",
    );
  });

  it("deletes a class with its clusters, containers included", async () => {
    await runSleeper(zoe.kubeconfig, "sleeper");
    expect((await containersOf(zoe.id)).length).toBeGreaterThan(0);
    expect((await as(teacherB)("DELETE", "/v1/tenants/class-b")).status).toBe(403);
    const res = await platform.admin("DELETE", "/v1/tenants/class-b");
    expect(res.status).toBe(202);
    await eventually(
      async () => ((await platform.admin("GET", "/v1/tenants/class-b")).status === 404 ? true : undefined),
      60_000,
      "class-b gone",
    );
    expect((await platform.admin("GET", `/v1/clusters/${zoe.id}`)).status).toBe(404);
    expect(await containersOf(zoe.id)).toEqual([]);
    expect((await as(teacherB)("GET", "/v1/clusters")).status).toBe(403);
    // class A goes on
    const a = (await (await as(teacherA)("GET", "/v1/tenants/class-a")).json()) as { clusters: number };
    expect(a.clusters).toBe(60);
  });
});
