import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningApi } from "../../api/server";
import { eventually } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

interface WatchEvent {
  type: string;
  object: { metadata: { name: string; resourceVersion: string } };
}

/** Reads watch events from a streaming response until `count` arrived. */
async function readEvents(res: Response, count: number): Promise<WatchEvent[]> {
  const reader = res.body?.getReader();
  const events: WatchEvent[] = [];
  let buffered = "";
  while (events.length < count) {
    const chunk = await reader?.read();
    if (!chunk || chunk.done) break;
    buffered += new TextDecoder().decode(chunk.value);
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line) events.push(JSON.parse(line) as WatchEvent);
  }
  await reader?.cancel();
  return events;
}

describe("watch across API replicas", () => {
  let platform: TestPlatform;
  let other: RunningApi;
  let path: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    other = await platform.startExtraApi();
    const cluster = await platform.createCluster("watch");
    path = `/clusters/${cluster.id}/api/v1/namespaces/default/configmaps`;
    headers = { authorization: `Bearer ${cluster.token}`, "content-type": "application/json" };
    // the namespace's kube-root-ca.crt, which its publisher writes after the cluster is made
    await eventually(async () =>
      (await fetch(`${platform.url}${path}/kube-root-ca.crt`, { headers })).ok ? true : undefined,
    );
  });
  afterAll(async () => {
    await platform?.close();
  });

  const create = (base: string, name: string) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } }),
    });

  it("delivers a change committed through one replica to a watcher on another, in order", async () => {
    const list = (await (await fetch(`${other.url}${path}`, { headers })).json()) as {
      metadata: { resourceVersion: string };
    };
    const watch = await fetch(
      `${other.url}${path}?watch=1&resourceVersion=${list.metadata.resourceVersion}`,
      { headers },
    );
    expect(watch.status).toBe(200);
    for (const name of ["one", "two", "three"]) expect((await create(platform.url, name)).status).toBe(201);
    const events = await readEvents(watch, 3);
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ["ADDED", "one"],
      ["ADDED", "two"],
      ["ADDED", "three"],
    ]);
    const versions = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });

  it("starts with the current objects when no resourceVersion is given, then follows", async () => {
    const watch = await fetch(`${other.url}${path}?watch=1&fieldSelector=metadata.name%3Dfour`, { headers });
    await create(platform.url, "four");
    const [added] = await readEvents(watch, 1);
    expect([added?.type, added?.object.metadata.name]).toEqual(["ADDED", "four"]);
  });

  it("pages a list with limit and continue", async () => {
    const mine = "fieldSelector=metadata.name!%3Dkube-root-ca.crt";
    const first = (await (await fetch(`${other.url}${path}?limit=2&${mine}`, { headers })).json()) as {
      items: { metadata: { name: string } }[];
      metadata: { continue?: string };
    };
    expect(first.items.map((i) => i.metadata.name)).toEqual(["four", "one"]);
    const rest = (await (
      await fetch(`${other.url}${path}?limit=10&${mine}&continue=${first.metadata.continue}`, { headers })
    ).json()) as {
      items: { metadata: { name: string } }[];
      metadata: { continue?: string };
    };
    expect(rest.items.map((i) => i.metadata.name)).toEqual(["three", "two"]);
    expect(rest.metadata.continue).toBeUndefined();
  });
  it("tells a selective watcher when an object enters or leaves its selection", async () => {
    const label = (tier: string) =>
      fetch(`${platform.url}${path}/moving`, {
        method: "PATCH",
        headers: { ...headers, "content-type": "application/merge-patch+json" },
        body: JSON.stringify({ metadata: { labels: { tier } } }),
      });
    expect((await create(platform.url, "moving")).status).toBe(201);
    const list = (await (await fetch(`${other.url}${path}`, { headers })).json()) as {
      metadata: { resourceVersion: string };
    };
    const watch = await fetch(
      `${other.url}${path}?watch=1&labelSelector=tier%3Dweb&resourceVersion=${list.metadata.resourceVersion}`,
      { headers },
    );
    for (const tier of ["web", "web", "db", "db", "web"]) expect((await label(tier)).status).toBe(200);
    const events = await readEvents(watch, 4);
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED", "ADDED"]);
  });
});
