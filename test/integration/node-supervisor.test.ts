import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/telemetry";
import { connect, type Database } from "../../db/client";
import { NodeRepository, type NodeRow } from "../../db/nodes";
import { NodeSupervisor, type RunningAgent } from "../../workers/node-agents";
import { createTestDatabase, type TestDatabase } from "../support/database";

const registration = (name: string) => ({
  name,
  dockerHost: `unix:///run/${name}.sock`,
  agentUrl: null,
  capacity: { cpu: "2", memory: "4Gi", pods: "110" },
  allocatable: { cpu: "2", memory: "4Gi", pods: "110" },
});

/**
 * Worker replicas share the registered nodes: each node's agent runs in exactly one of them, another
 * takes it over when that one goes, and a node removed from the table loses its agent, all with no restart.
 */
describe("the node supervisors of several worker replicas", () => {
  let database: TestDatabase;
  let db: Database;
  let nodes: NodeRepository;
  const sessions: postgres.Sql[] = [];
  const started: string[] = [];
  const stopped: string[] = [];
  let refusing = new Set<string>();

  const supervisor = (swarm?: () => ReadonlySet<string>) => {
    const locks = postgres(database.url, { max: 1, onnotice: () => {} });
    sessions.push(locks);
    return new NodeSupervisor({
      ...(swarm
        ? {
            swarm: { reconcile: async () => swarm() },
            engineOf: (row: NodeRow) => ({ name: row.name, address: row.name, docker: {} as never }),
          }
        : {}),
      nodes,
      locks,
      logger: createLogger("test"),
      agentOf: (row: NodeRow): RunningAgent => ({
        async start() {
          if (refusing.has(row.name)) throw new Error("connect ENOENT");
          started.push(row.name);
        },
        async stop() {
          stopped.push(row.name);
        },
      }),
    });
  };
  const pass = (s: NodeSupervisor) => s.pass();

  beforeAll(async () => {
    database = await createTestDatabase();
    db = connect(database.url, { max: 2 });
    nodes = new NodeRepository(db);
  });
  afterAll(async () => {
    for (const s of sessions) await s.end();
    await db?.$client.end();
    await database?.drop();
  });

  it("runs each registered node's agent in one replica, takes it over when that one ends, and stops it when the node goes", async () => {
    await nodes.create(registration("n1"), { certPath: null, maxPods: null });
    await nodes.register({ ...registration("local"), name: "local" });
    const [a, b] = [supervisor(), supervisor()];
    await pass(a);
    await pass(b);
    expect(a.running).toEqual(["n1"]);
    expect(b.running).toEqual([]);

    await nodes.create(registration("n2"), { certPath: null, maxPods: null });
    await pass(b);
    await pass(a);
    expect(b.running).toEqual(["n2"]);
    expect(a.running).toEqual(["n1"]);
    expect(started.sort()).toEqual(["n1", "n2"]);

    // replica a dies: its session ends, and with it its locks
    await sessions[0]?.end();
    await pass(b);
    expect(b.running.sort()).toEqual(["n1", "n2"]);

    await nodes.remove("n2");
    await pass(b);
    expect(b.running).toEqual(["n1"]);
    expect(stopped).toContain("n2");
  });

  it("tries an agent whose engine cannot be reached again at the next pass, in any replica", async () => {
    await nodes.create(registration("n3"), { certPath: null, maxPods: null });
    refusing = new Set(["n3"]);
    const c = supervisor();
    const d = supervisor();
    await pass(c);
    expect(c.running).not.toContain("n3");
    refusing = new Set();
    await pass(d);
    expect(d.running).toContain("n3");
    await d.stop();
    await c.stop();
  });

  it("starts a node's agent only once its engine is in the Swarm, where several engines must share one", async () => {
    let members = new Set(["n1", "n3"]);
    await nodes.create(registration("n4"), { certPath: null, maxPods: null });
    const e = supervisor(() => members);
    await pass(e);
    expect(e.running).not.toContain("n4");
    members = new Set(["n1", "n3", "n4"]);
    await pass(e);
    expect(e.running).toContain("n4");
    // an engine that falls out keeps its running agent: its heartbeat tells the rest
    members = new Set(["n1", "n3"]);
    await pass(e);
    expect(e.running).toContain("n4");
    await e.stop();
  });
});
