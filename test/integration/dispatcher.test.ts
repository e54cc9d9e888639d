import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObjectRef } from "../../core/objects";
import { createLogger } from "../../core/telemetry";
import { connect, type Database } from "../../db/client";
import { ClusterRepository } from "../../db/clusters";
import { DispatchCursors } from "../../db/dispatch-cursors";
import { ClusterNetworks } from "../../db/networks";
import { ObjectStore } from "../../db/store";
import { DECLARED } from "../../workers/controllers";
import { ChangeDispatcher, type TriggerSink } from "../../workers/dispatcher";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { eventually } from "../support/kubectl";

interface Sent {
  queue: string;
  ref: ObjectRef;
  trace?: Record<string, string>;
}

/** Records what the dispatcher enqueues, in order. */
class RecordingSink implements TriggerSink {
  readonly sent: Sent[] = [];
  async trigger(queue: string, ref: ObjectRef, _delayMs?: number, trace?: Record<string, string>) {
    this.sent.push({ queue, ref, ...(trace ? { trace } : {}) });
  }
  to(queue: string, clusterId: string, name?: string): Sent[] {
    return this.sent.filter(
      (s) =>
        s.queue === queue && s.ref.clusterId === clusterId && (name === undefined || s.ref.name === name),
    );
  }
}

const configMap = (name: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default" },
});
const service = (name: string) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "default" },
  spec: { ports: [{ port: 80 }] },
});
const key = (clusterId: string, resource: string, name: string) => ({
  clusterId,
  group: "",
  resource,
  namespace: "default",
  name,
});

describe("the change-feed dispatcher", () => {
  let database: TestDatabase;
  let db: Database;
  let store: ObjectStore;
  let clusters: ClusterRepository;
  let a: string;
  let b: string;
  const running: { dispatcher: ChangeDispatcher; sql: postgres.Sql }[] = [];

  /** A dispatcher as a worker replica runs it, with a client of its own. */
  const startDispatcher = async (sink: TriggerSink) => {
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    const dispatcher = new ChangeDispatcher({
      sql,
      store,
      cursors: new DispatchCursors(db),
      sink,
      controllers: DECLARED,
      logger: createLogger("dispatcher-test"),
      catchUpMs: 200,
    });
    await dispatcher.start();
    running.push({ dispatcher, sql });
    return dispatcher;
  };
  const stop = async (dispatcher: ChangeDispatcher) => {
    const i = running.findIndex((r) => r.dispatcher === dispatcher);
    const [stopped] = running.splice(i, 1);
    await dispatcher.stop();
    await stopped?.sql.end();
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = connect(database.url, { max: 5 });
    store = new ObjectStore(db);
    clusters = new ClusterRepository(db, new ClusterNetworks(db, { pool: "10.200.0.0/16", prefix: 23 }));
    const create = async (name: string) => {
      const row = await clusters.create({
        tenant: "dispatch",
        name,
        createTenant: true,
        tokenHashFor: () => randomBytes(16).toString("hex"),
      });
      if (!row) throw new Error(`cluster ${name} not created`);
      return row.id;
    };
    a = await create("a");
    b = await create("b");
  });
  afterAll(async () => {
    for (const r of [...running]) await stop(r.dispatcher);
    await db?.$client.end();
    await database?.drop();
  });

  it("wakes the controllers a write concerns, with the trace of the write", async () => {
    const sink = new RecordingSink();
    const dispatcher = await startDispatcher(sink);
    await store.create(key(a, "services", "web"), service("web"));
    try {
      await eventually(async () => expect(sink.to("endpoints", a, "web")).toHaveLength(1));
      expect(sink.to("cluster-network", a).length).toBeGreaterThan(0);
      expect(sink.to("endpoints", a, "web")[0]?.trace).toBeTypeOf("object");
    } finally {
      await stop(dispatcher);
    }
  });

  it("sees a cluster's commit that lands after another cluster's newer one", async () => {
    const sink = new RecordingSink();
    const dispatcher = await startDispatcher(sink);
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    // cluster a's write takes its resourceVersion first and commits last
    const older = store.runInTransaction(async (tx) => {
      await store.create(key(a, "services", "older"), service("older"), tx);
      await held;
    });
    await new Promise((r) => setTimeout(r, 200));
    try {
      await store.create(key(b, "services", "newer"), service("newer"));
      await eventually(async () => expect(sink.to("endpoints", b, "newer")).toHaveLength(1));
    } finally {
      release();
      await older;
    }
    try {
      await eventually(async () => expect(sink.to("endpoints", a, "older")).toHaveLength(1));
    } finally {
      await stop(dispatcher);
    }
  });

  it("resumes from its stored cursors after a restart, without replaying what it had sent", async () => {
    await store.create(key(a, "configmaps", "while-down"), configMap("while-down"));
    await store.create(key(b, "services", "while-down"), service("while-down"));
    const sink = new RecordingSink();
    const dispatcher = await startDispatcher(sink);
    try {
      await eventually(async () => expect(sink.to("endpoints", b, "while-down")).toHaveLength(1));
      expect(sink.to("resource-quota", a)).toHaveLength(1);
      // earlier tests' changes were dispatched and their cursors stored: not sent again
      expect(sink.to("endpoints", a, "web")).toEqual([]);
      expect(sink.to("endpoints", b, "newer")).toEqual([]);
    } finally {
      await stop(dispatcher);
    }
  });

  it("dispatches each change once with two replicas running: only the leader does", async () => {
    const first = new RecordingSink();
    const second = new RecordingSink();
    await startDispatcher(first);
    await startDispatcher(second);
    await store.create(key(a, "services", "twice"), service("twice"));
    await eventually(async () =>
      expect([...first.to("endpoints", a, "twice"), ...second.to("endpoints", a, "twice")]).toHaveLength(1),
    );
    await new Promise((r) => setTimeout(r, 500));
    expect([...first.sent, ...second.sent].filter((s) => s.ref.name === "twice")).toHaveLength(1);
    // the leader stops: the other replica takes the lock and dispatches what follows
    const leader = first.sent.length ? running[0]?.dispatcher : running[1]?.dispatcher;
    if (leader) await stop(leader);
    const follower = first.sent.length ? second : first;
    await store.create(key(a, "services", "after"), service("after"));
    await eventually(async () => expect(follower.to("endpoints", a, "after")).toHaveLength(1));
  });

  it("starts the teardown of a cluster marked Terminating", async () => {
    const sink = new RecordingSink();
    for (const r of [...running]) await stop(r.dispatcher);
    await startDispatcher(sink);
    await clusters.markTerminating(b);
    await eventually(async () =>
      expect(sink.to("cluster-teardown", b)).toEqual([
        { queue: "cluster-teardown", ref: { clusterId: b, namespace: "", name: "" } },
      ]),
    );
  });
});
