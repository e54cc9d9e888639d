import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type InProcessApi, startInProcessApi, TEST_CA } from "../support/in-process-api";
import { tokenOf } from "../support/platform";

type Json = Record<string, unknown>;
const json = async (res: Response) => (await res.json()) as Json;
/** The management API's error body: `{ error: { code, message } }`, the message exact, matched or any. */
const error = (code: string, message?: string | RegExp) => ({
  error: {
    code,
    message:
      message === undefined
        ? expect.any(String)
        : typeof message === "string"
          ? message
          : expect.stringMatching(message),
  },
});

/** The management API through `app.request()` on a database of its own: no socket, no workers. */
describe("management API, in process", () => {
  let api: InProcessApi;
  let admin: ReturnType<InProcessApi["as"]>;
  beforeAll(async () => {
    api = await startInProcessApi();
    admin = api.as(api.adminToken);
  });
  afterAll(async () => {
    await api?.close();
  });

  describe("clusters", () => {
    it("creates one with its kubeconfig, id first, in the admin's default class", async () => {
      const res = await admin("POST", "/v1/clusters", { name: "alice" });
      expect(res.status).toBe(201);
      const body = await json(res);
      expect(Object.keys(body)[0]).toBe("id");
      const id = body.id as string;
      const server = `${api.deps.config.kubeUrl}/clusters/${id}`;
      expect(body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        name: "alice",
        tenant: "default",
        phase: "Active",
        server,
        createdAt: expect.any(String),
        expiresAt: null,
        kubeconfig: expect.any(String),
      });
      expect(Date.now() - Date.parse(body.createdAt as string)).toBeLessThan(60_000);

      const kubeconfig = parse(body.kubeconfig as string);
      expect(kubeconfig).toMatchObject({
        kind: "Config",
        "current-context": "alice",
        clusters: [
          {
            name: "alice",
            cluster: { server, "certificate-authority-data": Buffer.from(TEST_CA).toString("base64") },
          },
        ],
        users: [{ name: "alice", user: { token: expect.stringMatching(/^tmn_/) } }],
        contexts: [{ name: "alice", context: { cluster: "alice", user: "alice", namespace: "default" } }],
      });
      const again = await admin("GET", `/v1/clusters/${id}/kubeconfig`);
      expect(again.headers.get("content-type")).toBe("application/yaml");
      expect(await again.text()).toBe(body.kubeconfig);

      const detail = await json(await admin("GET", `/v1/clusters/${id}`));
      expect(detail).toMatchObject({ id, name: "alice", phase: "Active", budget: expect.any(Object) });
      expect(detail.usage).toEqual({ memory: "0", cpu: "0", pods: "0", storage: expect.any(String) });
      const listed = (await json(await admin("GET", "/v1/clusters"))).items as Json[];
      expect(listed.map((c) => c.id)).toContain(id);
    });

    it("gives the student a token that opens its own cluster's Kubernetes API and not /v1", async () => {
      const mine = await json(await admin("POST", "/v1/clusters", { name: "bob" }));
      const other = await json(await admin("POST", "/v1/clusters", { name: "carol" }));
      const token = tokenOf(mine.kubeconfig as string);
      const student = api.as(token);
      expect((await student("GET", `/clusters/${mine.id}/version`)).status).toBe(200);
      // kubectl --raw drops the kubeconfig's path: the token says which cluster
      expect((await student("GET", "/version")).status).toBe(200);
      const elsewhere = await student("GET", `/clusters/${other.id}/version`);
      expect(elsewhere.status).toBe(403);
      expect(await json(elsewhere)).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403 });

      const refused = await student("GET", "/v1/clusters");
      expect(refused.status).toBe(403);
      expect(await json(refused)).toEqual(error("forbidden", /never the management API/));
      expect((await student("GET", `/v1/clusters/${mine.id}`)).status).toBe(403);
    });

    it("rotates the token: the old one is refused at once, the new one works", async () => {
      const created = await json(await admin("POST", "/v1/clusters", { name: "dave" }));
      const before = tokenOf(created.kubeconfig as string);
      // used once, so this process holds it in its token cache: the rotation must drop it from there
      expect((await api.as(before)("GET", `/clusters/${created.id}/version`)).status).toBe(200);
      const rotated = await admin("POST", `/v1/clusters/${created.id}/kubeconfig/rotate`);
      expect(rotated.status).toBe(200);
      const after = tokenOf(await rotated.text());
      expect(after).not.toBe(before);
      expect((await api.as(before)("GET", `/clusters/${created.id}/version`)).status).toBe(401);
      expect((await api.as(after)("GET", `/clusters/${created.id}/version`)).status).toBe(200);
    });

    it("keeps an expiry given, and tears a cluster down with a 202", async () => {
      const res = await admin("POST", "/v1/clusters", {
        name: "erin",
        expiresAt: "2030-01-31T18:00:00+01:00",
      });
      expect(res.status).toBe(201);
      const created = await json(res);
      expect(created.expiresAt).toBe("2030-01-31T17:00:00.000Z");

      const deleted = await admin("DELETE", `/v1/clusters/${created.id}`);
      expect(deleted.status).toBe(202);
      expect(await json(deleted)).toMatchObject({ id: created.id, phase: "Terminating" });
      // no worker here to finish the teardown: the cluster stays Terminating, and its student is refused
      expect((await json(await admin("GET", `/v1/clusters/${created.id}`))).phase).toBe("Terminating");
      const token = tokenOf(created.kubeconfig as string);
      expect((await api.as(token)("GET", `/clusters/${created.id}/version`)).status).toBe(401);
    });

    it("answers invalid input with a JSON error naming the field, and writes nothing", async () => {
      const cases: [unknown, string, RegExp][] = [
        [{ name: "Not_A_Label" }, "invalid", /^name: .*DNS-1123/],
        [{ name: "" }, "invalid", /^name: /],
        [{ name: "frank", colour: "red" }, "invalid", /colour/],
        [{ name: "frank", expiresAt: "tomorrow" }, "invalid", /^expiresAt: /],
        [{ name: "frank", tenant: "No Such" }, "invalid", /^tenant: /],
        [{}, "invalid", /^name: /],
        ["{not json", "bad_request", /JSON/i],
      ];
      for (const [body, code, message] of cases) {
        const res = await admin("POST", "/v1/clusters", body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(await json(res), JSON.stringify(body)).toEqual(error(code, message));
      }
      const names = ((await json(await admin("GET", "/v1/clusters"))).items as Json[]).map((c) => c.name);
      expect(names).not.toContain("frank");
      expect(names).not.toContain("Not_A_Label");
    });

    it("refuses a body over 16 MiB with a 413 in the error body", async () => {
      const res = await admin("POST", "/v1/clusters", { name: "big", padding: "x".repeat(16 * 1024 * 1024) });
      expect(res.status).toBe(413);
      expect(await json(res)).toEqual(error("payload_too_large", /16777216 bytes/));
    });

    it("answers a duplicate with a 409 and unknown ids and routes with a 404", async () => {
      expect((await admin("POST", "/v1/clusters", { name: "gina" })).status).toBe(201);
      const dup = await admin("POST", "/v1/clusters", { name: "gina" });
      expect(dup.status).toBe(409);
      expect(await json(dup)).toEqual(
        error("already_exists", "cluster gina already exists in tenant default"),
      );

      const unknown = "00000000-0000-4000-8000-000000000000";
      for (const [method, path] of [
        ["GET", `/v1/clusters/${unknown}`],
        ["GET", `/v1/clusters/${unknown}/kubeconfig`],
        ["POST", `/v1/clusters/${unknown}/kubeconfig/rotate`],
        ["DELETE", `/v1/clusters/${unknown}`],
        ["GET", "/v1/clusters/not-a-uuid"],
      ] as const) {
        const res = await admin(method, path);
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(await json(res), `${method} ${path}`).toEqual(error("not_found", /^cluster .* not found$/));
      }
      const noTenant = await admin("GET", "/v1/tenants/no-such-class");
      expect(noTenant.status).toBe(404);
      expect(await json(noTenant)).toEqual(error("not_found", "tenant no-such-class not found"));
      const noRoute = await admin("GET", "/v1/nothing-here");
      expect(noRoute.status).toBe(404);
      expect(await json(noRoute)).toEqual(error("not_found", "no route for GET /v1/nothing-here"));
    });
  });

  describe("tokens", () => {
    it("asks for a token with a 401 and refuses unknown ones with a 403", async () => {
      const missing = await api.as(undefined)("GET", "/v1/clusters");
      expect(missing.status).toBe(401);
      expect(await json(missing)).toEqual(error("unauthorized", "missing bearer token"));
      for (const token of ["nope", "tmt_forged", "tmn_forged", `${api.adminToken}x`]) {
        const res = await api.as(token)("GET", "/v1/tenants");
        expect(res.status, token).toBe(403);
        expect(await json(res), token).toEqual(error("forbidden"));
      }
    });
  });

  describe("tenants and teacher tokens", () => {
    let teacher: string;
    let otherClassCluster: string;

    beforeAll(async () => {
      const res = await admin("POST", "/v1/tenants", {
        name: "class-a",
        budget: { memory: "2Gi", pods: 5 },
        ceiling: { memory: "4Gi", cpu: "4", pods: 10 },
        clusterLifetime: "72h",
      });
      expect(res.status).toBe(201);
      teacher = (await json(res)).teacherToken as string;
      await admin("POST", "/v1/tenants", { name: "class-b" });
      otherClassCluster = (
        await json(await admin("POST", "/v1/clusters", { name: "zoe", tenant: "class-b" }))
      ).id as string;
    });

    it("creates a class with its settings and shows the teacher token once", async () => {
      expect(teacher).toMatch(/^tmt_/);
      const shown = await json(await admin("GET", "/v1/tenants/class-a"));
      expect(shown).toEqual({
        name: "class-a",
        phase: "Active",
        createdAt: expect.any(String),
        clusters: 0,
        teacherToken: "active",
        budget: { memory: "2Gi", cpu: expect.any(String), pods: "5", storage: expect.any(String) },
        ceiling: { memory: "4Gi", cpu: "4", pods: "10", storage: expect.any(String) },
        clusterLifetime: "72h",
        idleBeforeSleep: null,
        charts: [],
      });
      expect(JSON.stringify(shown)).not.toContain(teacher);
      const names = ((await json(await admin("GET", "/v1/tenants"))).items as Json[]).map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(["class-a", "class-b", "default"]));
      const dup = await admin("POST", "/v1/tenants", { name: "class-a" });
      expect(dup.status).toBe(409);
      expect(await json(dup)).toEqual(error("already_exists", "tenant class-a already exists"));
    });

    it("refuses bad settings: 400 naming the field, 422 above the ceiling", async () => {
      const cases: [unknown, number, string, RegExp][] = [
        [{ name: "c1", budget: { memory: "lots" } }, 400, "invalid_request", /budget\.memory/],
        [{ name: "c1", clusterLifetime: "forever" }, 400, "invalid", /^clusterLifetime: /],
        [{ name: "c1", clusterLifetime: "999d" }, 400, "invalid", /^clusterLifetime: .*between 1s and 400d/],
        [{ name: "c1", ceiling: { pods: 1 }, budget: { pods: 2 } }, 422, "above_ceiling", /budget\.pods/],
      ];
      for (const [body, status, code, message] of cases) {
        const res = await admin("POST", "/v1/tenants", body);
        expect(res.status, JSON.stringify(body)).toBe(status);
        expect(await json(res), JSON.stringify(body)).toEqual(error(code, message));
      }
      expect((await admin("GET", "/v1/tenants/c1")).status).toBe(404);
    });

    it("lets a teacher manage their own class only", async () => {
      const t = api.as(teacher);
      const tenants = ((await json(await t("GET", "/v1/tenants"))).items as Json[]).map((x) => x.name);
      expect(tenants).toEqual(["class-a"]);

      const created = await t("POST", "/v1/clusters", { name: "sam" });
      expect(created.status).toBe(201);
      const cluster = await json(created);
      expect(cluster.tenant).toBe("class-a");
      // the class's lifetime gives the cluster its expiry
      const lifetime = Date.parse(cluster.expiresAt as string) - Date.parse(cluster.createdAt as string);
      expect(lifetime).toBe(72 * 3600 * 1000);
      const listed = ((await json(await t("GET", "/v1/clusters"))).items as Json[]).map((c) => c.name);
      expect(listed).toEqual(["sam"]);

      const patched = await t("PATCH", "/v1/tenants/class-a", { budget: { memory: "3Gi" } });
      expect(patched.status).toBe(200);
      expect(await json(patched)).toMatchObject({ budget: { memory: "3Gi", pods: "5" }, clusters: 1 });
      const over = await t("PATCH", "/v1/tenants/class-a", { budget: { memory: "5Gi" } });
      expect(over.status).toBe(422);
      expect(await json(over)).toEqual(error("above_ceiling", /budget\.memory 5Gi is above/));

      const attempts: [string, string, unknown?][] = [
        ["POST", "/v1/tenants", { name: "class-c" }],
        ["GET", "/v1/tenants/class-b"],
        ["GET", "/v1/tenants/no-such-class"],
        ["DELETE", "/v1/tenants/class-a"],
        ["PATCH", "/v1/tenants/class-a", { ceiling: { memory: "64Gi" } }],
        ["POST", "/v1/clusters", { name: "mallory", tenant: "class-b" }],
        ["GET", `/v1/clusters/${otherClassCluster}`],
        ["DELETE", `/v1/clusters/${otherClassCluster}`],
      ];
      for (const [method, path, body] of attempts) {
        const res = await t(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(await json(res), `${method} ${path}`).toEqual(error("forbidden"));
      }
      expect((await json(await admin("GET", `/v1/clusters/${otherClassCluster}`))).phase).toBe("Active");
    });

    it("rotates and revokes a teacher token", async () => {
      const rotated = await admin("POST", "/v1/tenants/class-a/token");
      expect(rotated.status).toBe(200);
      const fresh = (await json(rotated)).teacherToken as string;
      expect(fresh).toMatch(/^tmt_/);
      expect((await api.as(teacher)("GET", "/v1/tenants/class-a")).status).toBe(403);
      expect((await api.as(fresh)("GET", "/v1/tenants/class-a")).status).toBe(200);

      expect((await admin("DELETE", "/v1/tenants/class-a/token")).status).toBe(204);
      expect((await api.as(fresh)("GET", "/v1/tenants/class-a")).status).toBe(403);
      expect((await json(await admin("GET", "/v1/tenants/class-a"))).teacherToken).toBe("none");
    });

    it("deletes a class: Terminating with its clusters, gone at once when it has none", async () => {
      const deleted = await admin("DELETE", "/v1/tenants/class-b");
      expect(deleted.status).toBe(202);
      expect(await json(deleted)).toMatchObject({ name: "class-b", phase: "Terminating" });
      expect((await json(await admin("GET", "/v1/tenants/class-b"))).phase).toBe("Terminating");
      expect((await json(await admin("GET", `/v1/clusters/${otherClassCluster}`))).phase).toBe("Terminating");
      const refused = await admin("POST", "/v1/clusters", { name: "late", tenant: "class-b" });
      expect(refused.status).toBe(409);
      expect(await json(refused)).toEqual(error("conflict", /being deleted/));

      expect((await admin("POST", "/v1/tenants", { name: "empty" })).status).toBe(201);
      expect((await admin("DELETE", "/v1/tenants/empty")).status).toBe(202);
      expect((await admin("GET", "/v1/tenants/empty")).status).toBe(404);
    });
  });

  it("serves its OpenAPI document without a token", async () => {
    const res = await api.as(undefined)("GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/clusters",
        "/clusters/{id}",
        "/clusters/{id}/kubeconfig",
        "/clusters/{id}/kubeconfig/rotate",
        "/clusters/{id}/reset",
        "/clusters/{id}/releases",
        "/tenants",
        "/tenants/{name}",
        "/tenants/{name}/token",
        "/tenants/{name}/students",
      ]),
    );
    expect(Object.keys(doc.paths["/clusters"] ?? {}).sort()).toEqual(["get", "post"]);
  });
});
