import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

/** events.k8s.io/v1 and core/v1 Events are two views of the same objects, as in kube-apiserver. */
describe("events in both API groups", () => {
  let platform: TestPlatform;
  let base: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    const cluster = await platform.createCluster("events");
    base = `${platform.url}/clusters/${cluster.id}`;
    headers = { authorization: `Bearer ${cluster.token}`, "content-type": "application/json" };
  });
  afterAll(async () => {
    await platform?.close();
  });

  const core = `/api/v1/namespaces/default/events`;
  const v1 = `/apis/events.k8s.io/v1/namespaces/default/events`;
  const get = async (path: string) => (await fetch(`${base}${path}`, { headers })).json();

  it("serves a core Event as events.k8s.io/v1, fields renamed", async () => {
    const created = await fetch(`${base}${core}`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: "from-core" },
        involvedObject: { kind: "Pod", name: "web", namespace: "default" },
        reason: "Started",
        message: "Started container web",
        type: "Normal",
        source: { component: "kubelet", host: "node-1" },
        count: 2,
      }),
    });
    expect(created.status).toBe(201);
    expect(await get(`${v1}/from-core`)).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      regarding: { kind: "Pod", name: "web" },
      note: "Started container web",
      reportingController: "kubelet",
      reportingInstance: "node-1",
      deprecatedCount: 2,
    });
  });

  it("stores an events.k8s.io/v1 Event where core/v1 readers see it", async () => {
    const created = await fetch(`${base}${v1}`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name: "from-v1" },
        eventTime: new Date().toISOString().replace(/\.(\d+)Z$/, ".$1000Z"),
        reportingController: "example.com/ctl",
        reportingInstance: "ctl-1",
        action: "Checked",
        reason: "Checking",
        type: "Normal",
        note: "written through events.k8s.io",
        regarding: { kind: "Pod", name: "web", namespace: "default" },
      }),
    });
    expect(created.status).toBe(201);
    expect(await get(`${core}/from-v1`)).toMatchObject({
      apiVersion: "v1",
      message: "written through events.k8s.io",
      involvedObject: { name: "web" },
      source: { component: "example.com/ctl", host: "ctl-1" },
    });
    const list = (await get(v1)) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).toBe("EventList");
    expect(list.items.map((e) => e.metadata.name).sort()).toEqual(["from-core", "from-v1"]);
  });

  it("forgets an Event an hour after it was last seen, as kube-apiserver's --event-ttl does", async () => {
    const event = (name: string, lastTimestamp: string) => ({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name },
      involvedObject: { kind: "Pod", name: "web", namespace: "default" },
      reason: "Started",
      message: "Started container web",
      type: "Normal",
      lastTimestamp,
    });
    const old = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    for (const [name, seen] of [
      ["stale", old],
      ["fresh", new Date().toISOString().replace(/\.\d+Z$/, "Z")],
    ] as const) {
      const res = await fetch(`${base}${core}`, {
        method: "POST",
        headers,
        body: JSON.stringify(event(name, seen)),
      });
      expect(res.status).toBe(201);
    }
    // the workers sweep every six resync periods (12 s here)
    await eventually(
      async () => ((await fetch(`${base}${core}/stale`, { headers })).status === 404 ? true : undefined),
      30_000,
    );
    expect((await fetch(`${base}${core}/fresh`, { headers })).status).toBe(200);
  });
});
