import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { LABEL } from "../../workers/node-agent/runtime";
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

/**
 * The Docker hosts the platform's configuration lists (TIMONIER_DOCKER_HOSTS), registered by the API at
 * start as POST /v1/nodes registers them: once, whatever the number of restarts and replicas, and later
 * for an engine that did not answer at first. The workers run as the chart's controllers do: the
 * registered nodes' agents, none for DOCKER_HOST.
 */
describe("the Docker hosts listed in the configuration", () => {
  let platform: TestPlatform;
  let dir: string;
  let proxy: Server | undefined;
  const engine = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "");

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "timonier-listed-"));
    platform = await startTestPlatform({
      nodeAgent: "registered",
      dockerHosts: [
        { name: "listed-1", dockerHost: `unix://${engine}`, address: "192.0.2.51", labels: { zone: "a" } },
        // no engine answers there until the test puts one
        { name: "listed-late", dockerHost: `unix://${join(dir, "docker.sock")}`, address: "192.0.2.52" },
      ],
    });
  });
  afterAll(async () => {
    await platform?.close();
    proxy?.close();
    await rm(dir, { recursive: true, force: true });
    // what the listed nodes' agents made on the shared engine
    const docker = dockerFromHost(`unix://${engine}`);
    for (const name of ["listed-1", "listed-late"]) {
      const filters = { label: [`${LABEL.node}=${name}`] };
      for (const c of await docker.listContainers({ all: true, filters }))
        await docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {});
      for (const n of await docker.listNetworks({ filters }))
        await docker
          .getNetwork(n.Id)
          .remove()
          .catch(() => {});
      for (const v of (await docker.listVolumes({ filters })).Volumes ?? [])
        await docker
          .getVolume(v.Name)
          .remove()
          .catch(() => {});
    }
  });

  const names = async () =>
    ((await (await platform.admin("GET", "/v1/nodes")).json()) as { items: NodeView[] }).items.map(
      (n) => n.name,
    );

  it("registers a reachable host at start as POST /v1/nodes does, and runs its agent", async () => {
    expect(await names()).toEqual(["listed-1"]);
    const node = (await (await platform.admin("GET", "/v1/nodes/listed-1")).json()) as NodeView & {
      labels: Record<string, string>;
      address: string;
    };
    expect(node).toMatchObject({ managed: true, address: "192.0.2.51" });
    expect(node.labels).toEqual({ zone: "a" });
    await eventually(
      async () => {
        const now = (await (await platform.admin("GET", "/v1/nodes/listed-1")).json()) as NodeView;
        return now.conditions.find((c) => c.type === "Ready")?.status === "True" ? true : undefined;
      },
      30_000,
      "listed-1 Ready",
    );
    expect(await names()).not.toContain(platform.nodeName);
  });

  it("leaves a listed node as it is when another replica starts, or the API restarts", async () => {
    const changed = {
      name: "listed-1",
      dockerHost: `unix://${engine}`,
      address: "192.0.2.99",
      labels: { zone: "b" },
    };
    const extra = await platform.startExtraApi({ dockerHosts: [changed] });
    await extra.close();
    expect(await names()).toEqual(["listed-1"]);
    const node = (await (await platform.admin("GET", "/v1/nodes/listed-1")).json()) as NodeView & {
      labels: Record<string, string>;
      address: string;
    };
    expect(node).toMatchObject({ address: "192.0.2.51", labels: { zone: "a" } });
  });

  it("registers a host whose engine did not answer at start once it does", async () => {
    expect(await names()).not.toContain("listed-late");
    proxy = createServer((client) => {
      const upstream = connect(engine);
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy?.listen(join(dir, "docker.sock"), resolve));
    await eventually(
      async () => ((await names()).includes("listed-late") ? true : undefined),
      20_000,
      "listed-late registered",
    );
  });
});
