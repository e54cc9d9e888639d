import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

interface NodeView {
  name: string;
  managed: boolean;
  pods: number;
  lastHeartbeat: string | null;
  conditions: { type: string; status: string; reason: string; message: string }[];
  taints: { key: string; effect: string }[];
}

/**
 * `/v1/nodes` with no agent to run the node (workers without node agents): what the API says of a Docker
 * host it registered, and who may ask. The engine is the shared one, only asked for its figures.
 */
describe("the nodes of the management API", () => {
  let platform: TestPlatform;
  let studentToken: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    studentToken = (await platform.createCluster("nodes-api")).token;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const register = (name: string, dockerHost = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock") =>
    platform.admin("POST", "/v1/nodes", { name, dockerHost, address: "192.0.2.50", labels: { zone: "b" } });

  it("registers a host with the engine's figures, not Ready before its agent posts", async () => {
    const res = await register("docker-2");
    expect(res.status).toBe(201);
    const node = (await res.json()) as NodeView;
    expect(node).toMatchObject({ name: "docker-2", managed: true, pods: 0, lastHeartbeat: null });
    expect(node.conditions.find((c) => c.type === "Ready")).toMatchObject({
      status: "Unknown",
      reason: "NodeStatusNeverUpdated",
      message: "Kubelet never posted node status.",
    });
    const listed = (await (await platform.admin("GET", "/v1/nodes")).json()) as { items: NodeView[] };
    expect(listed.items.map((n) => n.name)).toEqual(["docker-2"]);
  });

  it("refuses a taken name, an engine it cannot reach, a bad endpoint, plain tcp and a simulated node", async () => {
    const taken = await register("docker-2");
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ error: { code: "already_exists" } });
    const nowhere = await register("docker-3", "unix:///nonexistent/docker.sock");
    expect(nowhere.status).toBe(422);
    expect(await nowhere.json()).toMatchObject({ error: { code: "unreachable" } });
    expect((await register("docker-4", "http://example")).status).toBe(400);
    expect((await register("docker-5", "tcp://192.0.2.60:2375")).status).toBe(422);
    const simulated = await register("docker-6", "simulated://");
    expect(simulated.status).toBe(422);
    expect(await simulated.json()).toMatchObject({
      error: { code: "invalid", message: expect.stringContaining("TIMONIER_SIMULATED_NODES") },
    });
    expect((await platform.admin("GET", "/v1/nodes/docker-3")).status).toBe(404);
  });

  it("is the admin's alone", async () => {
    for (const [method, path] of [
      ["GET", "/v1/nodes"],
      ["GET", "/v1/nodes/docker-2"],
      ["DELETE", "/v1/nodes/docker-2"],
    ] as const) {
      const res = await platform.as(studentToken)(method, path);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: "forbidden" } });
    }
    expect((await fetch(`${platform.url}/v1/nodes`)).status).toBe(401);
  });

  it("drains and removes a node with no pods", async () => {
    const res = await platform.admin("DELETE", "/v1/nodes/docker-2");
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ name: "docker-2", unschedulable: true, draining: true });
    await eventually(
      async () => ((await platform.admin("GET", "/v1/nodes/docker-2")).status === 404 ? true : undefined),
      30_000,
      "docker-2 removed",
    );
  });
});
