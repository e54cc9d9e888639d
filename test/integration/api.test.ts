import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("management API", () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it("creates a cluster with a kubeconfig, lists it, returns the same kubeconfig again", async () => {
    const res = await platform.admin("POST", "/v1/clusters", { name: "alice" });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; name: string; kubeconfig: string };
    expect(created.name).toBe("alice");
    expect(created.kubeconfig).toContain(`server: ${platform.kubeUrl}/clusters/${created.id}`);
    expect(created.kubeconfig).toContain("certificate-authority-data:");
    const again = await platform.admin("GET", `/v1/clusters/${created.id}/kubeconfig`);
    expect(await again.text()).toBe(created.kubeconfig);
    const list = (await (await platform.admin("GET", "/v1/clusters")).json()) as { items: { id: string }[] };
    expect(list.items.map((c) => c.id)).toContain(created.id);
  });

  it("answers JSON errors naming the field, and writes nothing", async () => {
    const bad = await platform.admin("POST", "/v1/clusters", { name: "Not_A_Label" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: "invalid", message: expect.stringMatching(/^name: /) },
    });
    const malformed = await fetch(`${platform.url}/v1/clusters`, {
      method: "POST",
      headers: { authorization: `Bearer ${platform.adminToken}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBeTruthy();
    const list = (await (await platform.admin("GET", "/v1/clusters")).json()) as {
      items: { name: string }[];
    };
    expect(list.items.map((c) => c.name)).not.toContain("Not_A_Label");
  });

  it("refuses a duplicate name, unknown ids and missing or wrong tokens", async () => {
    await platform.admin("POST", "/v1/clusters", { name: "dup" });
    const dup = await platform.admin("POST", "/v1/clusters", { name: "dup" });
    expect(dup.status).toBe(409);
    expect((await platform.admin("GET", "/v1/clusters/not-a-uuid")).status).toBe(404);
    expect((await platform.admin("GET", "/v1/clusters/00000000-0000-4000-8000-000000000000")).status).toBe(
      404,
    );
    expect((await fetch(`${platform.url}/v1/clusters`)).status).toBe(401);
    const wrong = await fetch(`${platform.url}/v1/clusters`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(403);
  });

  it("serves its OpenAPI document", async () => {
    const doc = (await (await fetch(`${platform.url}/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/clusters", "/clusters/{id}", "/clusters/{id}/kubeconfig"]),
    );
  });
});

describe("Kubernetes API of a cluster", () => {
  let platform: TestPlatform;
  let base: string;
  let headers: Record<string, string>;
  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    const cluster = await platform.createCluster("kube");
    base = `${platform.url}/clusters/${cluster.id}`;
    headers = { authorization: `Bearer ${cluster.token}`, "content-type": "application/json" };
    // the namespace's kube-root-ca.crt, which its publisher writes after the cluster is made
    await eventually(async () =>
      (await call("GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt")).ok ? true : undefined,
    );
  });
  afterAll(async () => {
    await platform?.close();
  });

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const configMap = (name: string, data: Record<string, string> = {}) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name },
    data,
  });

  it("answers an unknown resource with a 404 Status", async () => {
    const res = await call("GET", "/api/v1/namespaces/default/widgets");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "NotFound",
      code: 404,
    });
  });

  it("validates names with the apiserver's 422 and stores nothing", async () => {
    const res = await call("POST", "/api/v1/namespaces/default/configmaps", configMap("Bad_Name"));
    expect(res.status).toBe(422);
    const status = (await res.json()) as { reason: string; details: { causes: { field: string }[] } };
    expect(status.reason).toBe("Invalid");
    expect(status.details.causes[0]?.field).toBe("metadata.name");
    const list = (await (await call("GET", "/api/v1/namespaces/default/configmaps")).json()) as {
      items: { metadata: { name: string } }[];
    };
    expect(list.items.map((i) => i.metadata.name)).toEqual(["kube-root-ca.crt"]);
  });

  it("answers malformed JSON with a 400 Status", async () => {
    const res = await fetch(`${base}/api/v1/namespaces/default/configmaps`, {
      method: "POST",
      headers,
      body: "{oops",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
  });

  it("enforces optimistic concurrency on resourceVersion", async () => {
    const created = (await (
      await call("POST", "/api/v1/namespaces/default/configmaps", configMap("cc", { a: "1" }))
    ).json()) as {
      metadata: { resourceVersion: string; uid: string };
    };
    expect((await call("POST", "/api/v1/namespaces/default/configmaps", configMap("cc"))).status).toBe(409);
    const update = {
      ...configMap("cc", { a: "2" }),
      metadata: { name: "cc", resourceVersion: created.metadata.resourceVersion },
    };
    const ok = await call("PUT", "/api/v1/namespaces/default/configmaps/cc", update);
    expect(ok.status).toBe(200);
    const updated = (await ok.json()) as { metadata: { resourceVersion: string; uid: string } };
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    expect(updated.metadata.uid).toBe(created.metadata.uid);
    const stale = await call("PUT", "/api/v1/namespaces/default/configmaps/cc", update);
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ reason: "Conflict", code: 409 });
  });

  it("refuses objects in a namespace that does not exist", async () => {
    const res = await call("POST", "/api/v1/namespaces/nowhere/configmaps", configMap("x"));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ message: 'namespaces "nowhere" not found' });
  });

  it("streams watch events from a resourceVersion", async () => {
    const list = (await (await call("GET", "/api/v1/namespaces/default/configmaps")).json()) as {
      metadata: { resourceVersion: string };
    };
    const watch = await call(
      "GET",
      `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}`,
    );
    const reader = watch.body?.getReader();
    await call("POST", "/api/v1/namespaces/default/configmaps", configMap("watched"));
    await call("DELETE", "/api/v1/namespaces/default/configmaps/watched");
    const events: { type: string; object: { metadata: { name: string } } }[] = [];
    let text = "";
    while (events.length < 2) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
      const lines = text.split("\n");
      text = lines.pop() ?? "";
      for (const line of lines) if (line) events.push(JSON.parse(line));
    }
    await reader?.cancel();
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ["ADDED", "watched"],
      ["DELETED", "watched"],
    ]);
  });
});
