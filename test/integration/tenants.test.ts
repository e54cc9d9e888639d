import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { untarText } from "../support/archive";
import { eventually } from "../support/kubectl";
import { startTestPlatform, type TestPlatform, tokenOf } from "../support/platform";

type Json = Record<string, unknown>;
interface RosterItem {
  id: string;
  student: string;
  created: boolean;
  tenant: string;
  kubeconfig: string;
}

const forbidden = { error: { code: "forbidden", message: expect.any(String) } };

describe("classes (tenants), teacher tokens and rosters", () => {
  let platform: TestPlatform;
  let teacherA: string;
  let teacherB: string;
  let clusterOfB: string;

  const as = (token: string) => platform.as(token);
  const json = async (res: Response) => (await res.json()) as Json;
  const kube = (id: string, token: string, path = "/api/v1/namespaces") =>
    fetch(`${platform.url}/clusters/${id}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    const a = await platform.admin("POST", "/v1/tenants", {
      name: "class-a",
      budget: { memory: "2Gi", pods: 5 },
      ceiling: { memory: "4Gi", cpu: "4", pods: 10 },
      clusterLifetime: "72h",
      idleBeforeSleep: "2h",
      charts: [{ name: "web", chart: { catalog: "web" }, values: { replicas: 1 } }],
    });
    expect(a.status).toBe(201);
    const created = await json(a);
    teacherA = created.teacherToken as string;
    expect(teacherA).toMatch(/^tmt_/);
    expect(created).toMatchObject({
      name: "class-a",
      phase: "Active",
      clusters: 0,
      teacherToken: teacherA,
      budget: { memory: "2Gi", cpu: "16", pods: "5", storage: "64Mi" },
      ceiling: { memory: "4Gi", cpu: "4", pods: "10", storage: "64Mi" },
      clusterLifetime: "72h",
      idleBeforeSleep: "2h",
      charts: [{ name: "web", namespace: "default", catalog: "web", chart: expect.stringMatching(/^web-/) }],
    });
    const b = await json(await platform.admin("POST", "/v1/tenants", { name: "class-b" }));
    teacherB = b.teacherToken as string;
    const roster = await json(
      await as(teacherB)("POST", "/v1/tenants/class-b/students", { students: ["zoe"] }),
    );
    clusterOfB = (roster.items as RosterItem[])[0]?.id as string;
  });
  afterAll(async () => {
    await platform?.close();
  });

  it("shows the teacher token once and keeps only its hash", async () => {
    const shown = await json(await platform.admin("GET", "/v1/tenants/class-a"));
    expect(shown.teacherToken).toBe("active");
    expect(JSON.stringify(shown)).not.toContain(teacherA);
    expect((await platform.admin("POST", "/v1/tenants", { name: "class-a" })).status).toBe(409);
  });

  it("refuses bad input with the error body and writes nothing", async () => {
    const cases: [unknown, number, string, RegExp][] = [
      [{ name: "c1", colour: "red" }, 400, "invalid", /colour|unrecognized/i],
      [{ name: "Not_A_Label" }, 400, "invalid", /^name: /],
      [{ name: "c1", budget: { memory: "16Gi" } }, 422, "above_ceiling", /budget.memory 16Gi is above/],
      [{ name: "c1", budget: { memory: "lots" } }, 400, "invalid_request", /budget.memory/],
      [{ name: "c1", charts: [{ name: "x", chart: { catalog: "nope" } }] }, 422, "unknown_chart", /nope/],
      [
        { name: "c1", charts: [{ name: "x", chart: { files: { "a.txt": "" } } }] },
        422,
        "invalid_chart",
        /Chart/,
      ],
      [{ name: "c1", clusterLifetime: "forever" }, 400, "invalid", /clusterLifetime/],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await platform.admin("POST", "/v1/tenants", body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const error = (await json(res)).error as { code: string; message: string };
      expect(error.code, JSON.stringify(body)).toBe(code);
      expect(error.message).toMatch(message);
    }
    const names = ((await json(await platform.admin("GET", "/v1/tenants"))).items as { name: string }[]).map(
      (t) => t.name,
    );
    expect(names).not.toContain("c1");

    const huge = Array.from({ length: 10_000 }, (_, i) => `s${i}`);
    const refused = await as(teacherA)("POST", "/v1/tenants/class-a/students", { students: huge });
    expect(refused.status).toBe(400);
    expect(((await json(refused)).error as { message: string }).message).toMatch(/at most 500/);
    const badName = await as(teacherA)("POST", "/v1/tenants/class-a/students", { students: ["ok", "Bad!"] });
    expect(badName.status).toBe(400);
    const listed = await json(await as(teacherA)("GET", "/v1/clusters"));
    expect(listed.items).toEqual([]);
  });

  it("keeps a teacher inside their own class", async () => {
    const t = as(teacherA);
    const tenants = (await json(await t("GET", "/v1/tenants"))).items as { name: string }[];
    expect(tenants.map((x) => x.name)).toEqual(["class-a"]);
    const attempts: [string, string, unknown?][] = [
      ["GET", "/v1/tenants/class-b"],
      ["GET", "/v1/tenants/no-such-class"],
      ["PATCH", "/v1/tenants/class-b", { clusterLifetime: "1h" }],
      ["POST", "/v1/tenants/class-b/students", { students: ["mallory"] }],
      ["DELETE", "/v1/tenants/class-b/students/zoe"],
      ["POST", "/v1/tenants/class-b/token"],
      ["POST", "/v1/tenants", { name: "class-c" }],
      ["DELETE", "/v1/tenants/class-a"],
      ["PATCH", "/v1/tenants/class-a", { ceiling: { memory: "64Gi" } }],
      ["POST", "/v1/clusters", { name: "mallory", tenant: "class-b" }],
      ["GET", "/v1/clusters?tenant=class-b"],
      ["GET", `/v1/clusters/${clusterOfB}`],
      ["GET", `/v1/clusters/${clusterOfB}/kubeconfig`],
      ["POST", `/v1/clusters/${clusterOfB}/kubeconfig/rotate`],
      ["PATCH", `/v1/clusters/${clusterOfB}`, { budget: { pods: 1 } }],
      ["DELETE", `/v1/clusters/${clusterOfB}`],
      ["GET", `/v1/clusters/${clusterOfB}/releases`],
      ["POST", `/v1/clusters/${clusterOfB}/releases`, { name: "web", chart: { catalog: "web" } }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await t(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await res.json(), `${method} ${path}`).toEqual(forbidden);
    }
    // nothing of class-b changed
    const b = await json(await platform.admin("GET", "/v1/tenants/class-b"));
    expect(b).toMatchObject({ clusters: 1, phase: "Active", teacherToken: "active" });
    expect((await as(teacherB)("GET", "/v1/tenants/class-b")).status).toBe(200);
    expect((await json(await platform.admin("GET", `/v1/clusters/${clusterOfB}`))).phase).toBe("Active");
  });

  it("refuses a cluster's token and unknown tokens on /v1", async () => {
    const kubeconfig = await (await platform.admin("GET", `/v1/clusters/${clusterOfB}/kubeconfig`)).text();
    for (const token of [tokenOf(kubeconfig), "tmt_forged", "nope"]) {
      const res = await as(token)("GET", "/v1/clusters");
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual(forbidden);
    }
    expect((await fetch(`${platform.url}/v1/tenants`)).status).toBe(401);
  });

  it("lets a teacher set budgets up to the admin's ceiling", async () => {
    const t = as(teacherA);
    const ok = await t("PATCH", "/v1/tenants/class-a", { budget: { memory: "3Gi" }, clusterLifetime: null });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toMatchObject({ budget: { memory: "3Gi", pods: "5" }, clusterLifetime: null });
    const over = await t("PATCH", "/v1/tenants/class-a", {
      budget: { memory: "5Gi" },
      idleBeforeSleep: "1h",
    });
    expect(over.status).toBe(422);
    expect(((await json(over)).error as { code: string }).code).toBe("above_ceiling");
    expect((await json(await t("GET", "/v1/tenants/class-a"))).idleBeforeSleep).toBe("2h");
    // the admin raises the ceiling; then the teacher may
    expect(
      (await platform.admin("PATCH", "/v1/tenants/class-a", { ceiling: { memory: "8Gi" } })).status,
    ).toBe(200);
    expect((await t("PATCH", "/v1/tenants/class-a", { budget: { memory: "5Gi" } })).status).toBe(200);
    expect((await t("PATCH", "/v1/tenants/class-a", { budget: { colour: "red" } })).status).toBe(400);
    await t("PATCH", "/v1/tenants/class-a", { clusterLifetime: "72h" });
  });

  it("creates a roster idempotently, as JSON or one archive, with the class's budget", async () => {
    const t = as(teacherA);
    const first = await t("POST", "/v1/tenants/class-a/students", { students: ["alice", "bob", "alice"] });
    expect(first.status).toBe(200);
    const items = (await json(first)).items as (RosterItem & { expiresAt: string })[];
    expect(items.map((i) => [i.student, i.created, i.tenant])).toEqual([
      ["alice", true, "class-a"],
      ["bob", true, "class-a"],
    ]);
    const hours = (Date.parse(items[0]?.expiresAt ?? "") - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(71.9);
    expect(hours).toBeLessThanOrEqual(72);
    const again = (
      await json(await t("POST", "/v1/tenants/class-a/students", { students: ["bob", "carol"] }))
    ).items as RosterItem[];
    expect(again.map((i) => [i.student, i.created])).toEqual([
      ["bob", false],
      ["carol", true],
    ]);
    expect(again[0]?.id).toBe(items[1]?.id);
    expect(again[0]?.kubeconfig).toBe(items[1]?.kubeconfig);

    for (const [query, headers] of [
      ["?format=tar", {}],
      ["", { accept: "application/gzip" }],
    ] as const) {
      const res = await t(
        "POST",
        `/v1/tenants/class-a/students${query}`,
        { students: ["alice", "dave"] },
        headers,
      );
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/gzip");
      const files = await untarText(await res.arrayBuffer());
      expect(Object.keys(files).sort()).toEqual(["alice.yaml", "dave.yaml"]);
      expect(files["alice.yaml"]).toBe(items[0]?.kubeconfig);
    }

    // every cluster of the class counts its pods against the class's budget (5 pods)
    const alice = items[0] as RosterItem;
    expect((await json(await t("GET", `/v1/clusters/${alice.id}`))).budget).toMatchObject({
      pods: "5",
      memory: "5Gi",
    });
    const pod = (name: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: {
        containers: [{ name: "c", image: "busybox", resources: { limits: { memory: "64Mi", cpu: "100m" } } }],
      },
    });
    const podsUrl = `${platform.url}/clusters/${alice.id}/api/v1/namespaces/default/pods`;
    const post = (name: string) =>
      fetch(podsUrl, {
        method: "POST",
        headers: { authorization: `Bearer ${tokenOf(alice.kubeconfig)}`, "content-type": "application/json" },
        body: JSON.stringify(pod(name)),
      });
    // the class's chart runs its Deployment's pods in default: they count too, once its ReplicaSet made them
    const get = async (path: string) =>
      (await fetch(`${platform.url}/clusters/${alice.id}${path}`, {
        headers: { authorization: `Bearer ${tokenOf(alice.kubeconfig)}` },
      }).then((r) => r.json())) as { items: { spec: { replicas: number } }[] };
    const charted = await eventually(
      async () => {
        const wanted = (await get("/apis/apps/v1/namespaces/default/deployments")).items[0]?.spec.replicas;
        const running = (await get("/api/v1/namespaces/default/pods")).items.length;
        return wanted !== undefined && running === wanted ? running : undefined;
      },
      60_000,
      "the class chart's pods",
    );
    for (let i = 0; i < 5 - charted; i++) {
      const created = await post(`p${i}`);
      // the refusal's words when there is one, to say which wall it met
      expect([created.status, created.status === 201 ? "" : await created.text()]).toEqual([201, ""]);
    }
    const sixth = await post("p5");
    expect(sixth.status).toBe(403);
    expect(((await json(sixth)) as { message: string }).message).toContain(
      "exceeded quota: timonier-platform",
    );
    // a teacher may give one student more, within the ceiling
    expect((await t("PATCH", `/v1/clusters/${alice.id}`, { budget: { pods: 6 } })).status).toBe(200);
    expect((await t("PATCH", `/v1/clusters/${alice.id}`, { budget: { pods: 11 } })).status).toBe(422);
    expect((await platform.admin("PATCH", `/v1/clusters/${alice.id}`, { budget: { pods: 11 } })).status).toBe(
      200,
    );
    expect((await post("p5")).status).toBe(201);
  });

  it("holds a class's clusters to its storage budget", async () => {
    expect((await as(teacherB)("PATCH", "/v1/tenants/class-b", { budget: { storage: "16Ki" } })).status).toBe(
      200,
    );
    const configMap = (name: string, size: number) =>
      fetch(`${platform.url}/clusters/${clusterOfB}/api/v1/namespaces/default/configmaps`, {
        method: "POST",
        headers: { authorization: `Bearer ${platform.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name },
          data: { a: "x".repeat(size) },
        }),
      });
    expect((await configMap("small", 1000)).status).toBe(201);
    const big = await configMap("big", 20_000);
    expect(big.status).toBe(403);
    expect(((await json(big)) as { message: string }).message).toContain("limited: objects.storage=16Ki");
    expect((await as(teacherB)("PATCH", "/v1/tenants/class-b", { budget: null })).status).toBe(200);
    expect((await configMap("big", 20_000)).status).toBe(201);
  });

  it("creates a roster of 200 in one request", async () => {
    const students = Array.from({ length: 200 }, (_, i) => `student-${i}`);
    const started = performance.now();
    const res = await as(teacherA)("POST", "/v1/tenants/class-a/students", { students });
    const ms = performance.now() - started;
    expect(res.status).toBe(200);
    const items = (await json(res)).items as RosterItem[];
    expect(items).toHaveLength(200);
    expect(new Set(items.map((i) => tokenOf(i.kubeconfig))).size).toBe(200);
    console.log(`roster of 200: ${Math.round(ms)} ms`);
    const startedAgain = performance.now();
    const again = await as(teacherA)("POST", "/v1/tenants/class-a/students", { students });
    console.log(
      `roster of 200 again (nothing to create): ${Math.round(performance.now() - startedAgain)} ms`,
    );
    expect(((await json(again)).items as RosterItem[]).every((i) => !i.created)).toBe(true);
  });

  it("rotates tokens: the old one stops at once, the new one works", async () => {
    // the teacher token
    const rotated = await json(await as(teacherA)("POST", "/v1/tenants/class-a/token"));
    const fresh = rotated.teacherToken as string;
    expect(fresh).toMatch(/^tmt_/);
    expect((await as(teacherA)("GET", "/v1/tenants/class-a")).status).toBe(403);
    expect((await as(fresh)("GET", "/v1/tenants/class-a")).status).toBe(200);
    teacherA = fresh;

    // a kubeconfig, used (and cached) just before
    const listed = (await json(await as(teacherA)("GET", "/v1/clusters?tenant=class-a"))).items;
    const alice = (listed as { id: string; name: string }[]).find((c) => c.name === "alice") as {
      id: string;
    };
    const before = await (await as(teacherA)("GET", `/v1/clusters/${alice.id}/kubeconfig`)).text();
    expect((await kube(alice.id, tokenOf(before))).status).toBe(200);
    const res = await as(teacherA)("POST", `/v1/clusters/${alice.id}/kubeconfig/rotate`);
    expect(res.status).toBe(200);
    const after = await res.text();
    expect(tokenOf(after)).not.toBe(tokenOf(before));
    expect((await kube(alice.id, tokenOf(before))).status).toBe(401);
    expect((await kube(alice.id, tokenOf(after))).status).toBe(200);
    expect(await (await as(teacherA)("GET", `/v1/clusters/${alice.id}/kubeconfig`)).text()).toBe(after);
    // the roster hands out the current one
    const again = await as(teacherA)("POST", "/v1/tenants/class-a/students", { students: ["alice"] });
    expect([again.status, again.status === 200 ? "" : await again.clone().text()]).toEqual([200, ""]);
    const roster = (await json(again)).items as RosterItem[];
    expect(roster[0]?.kubeconfig).toBe(after);
  });

  it("revokes a teacher token", async () => {
    const b = await json(await platform.admin("POST", "/v1/tenants/class-b/token"));
    expect((await as(teacherB)("GET", "/v1/clusters")).status).toBe(403);
    teacherB = b.teacherToken as string;
    expect((await as(teacherB)("DELETE", "/v1/tenants/class-b/token")).status).toBe(204);
    expect((await as(teacherB)("GET", "/v1/clusters")).status).toBe(403);
    expect((await json(await platform.admin("GET", "/v1/tenants/class-b"))).teacherToken).toBe("none");
  });

  it("tears a student's cluster down, and a whole class", async () => {
    const t = as(teacherA);
    const removed = await t("DELETE", "/v1/tenants/class-a/students/bob");
    expect(removed.status).toBe(202);
    const bob = await json(removed);
    expect(bob.phase).toBe("Terminating");
    await eventually(async () =>
      (await platform.admin("GET", `/v1/clusters/${bob.id}`)).status === 404 ? true : undefined,
    );
    expect((await t("DELETE", "/v1/tenants/class-a/students/bob")).status).toBe(404);

    const ids = ((await json(await t("GET", "/v1/clusters"))).items as { id: string }[]).map((c) => c.id);
    expect(ids.length).toBeGreaterThan(200);
    const deleted = await platform.admin("DELETE", "/v1/tenants/class-a");
    expect(deleted.status).toBe(202);
    expect((await json(deleted)).phase).toBe("Terminating");
    // no new cluster in a class being deleted
    const late = await platform.admin("POST", "/v1/clusters", { name: "late", tenant: "class-a" });
    expect(late.status).toBe(409);
    await eventually(
      async () => ((await platform.admin("GET", "/v1/tenants/class-a")).status === 404 ? true : undefined),
      60_000,
      "the class to be gone",
    );
    const left = (await json(await platform.admin("GET", "/v1/clusters"))).items as { id: string }[];
    expect(left.filter((c) => ids.includes(c.id))).toEqual([]);
    expect((await t("GET", "/v1/clusters")).status).toBe(403);
    expect((await platform.admin("GET", "/v1/tenants/class-b")).status).toBe(200);
  });

  it("keeps POST /v1/clusters with a tenant working for the admin (Terraform's classroom)", async () => {
    const res = await platform.admin("POST", "/v1/clusters", { name: "tf", tenant: "made-on-the-way" });
    expect(res.status).toBe(201);
    expect((await res.clone().text()).startsWith('{"id":"')).toBe(true);
    expect(await json(await platform.admin("GET", "/v1/tenants/made-on-the-way"))).toMatchObject({
      clusters: 1,
      teacherToken: "none",
    });
    expect((await platform.admin("POST", "/v1/clusters", { name: "tf", colour: "red" })).status).toBe(400);
  });

  it("documents the new routes", async () => {
    const doc = (await (await fetch(`${platform.url}/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/tenants",
        "/tenants/{name}",
        "/tenants/{name}/token",
        "/tenants/{name}/students",
        "/tenants/{name}/students/{student}",
        "/clusters/{id}/kubeconfig/rotate",
      ]),
    );
  });
});
