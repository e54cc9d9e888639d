import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../db/client";
import { ClusterRepository } from "../../db/clusters";
import { ClusterNetworks } from "../../db/networks";
import { createTestDatabase, type TestDatabase } from "../support/database";

/**
 * A roster locks its class's row, then the students' clusters. A write to a cluster updates the cluster's row
 * twice in its transaction (its resourceVersion, then its stored bytes), and the second update checks the
 * foreign key to the class with a KEY SHARE lock. A FOR UPDATE on the class blocks that check: the write
 * waited for the roster, the roster for the write's cluster row, and Postgres ended one (seen in the roster
 * suites under load). The class is locked FOR NO KEY UPDATE, which key checks pass.
 */
describe("class row locks", () => {
  let database: TestDatabase;
  let db: Database;
  let writer: postgres.Sql;
  let clusters: ClusterRepository;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = connect(database.url, { max: 5 });
    writer = postgres(database.url, { max: 1, onnotice: () => {} });
    clusters = new ClusterRepository(db, new ClusterNetworks(db, { pool: "10.202.0.0/16", prefix: 23 }));
  });
  afterAll(async () => {
    await writer?.end();
    await db?.$client.end();
    await database?.drop();
  });

  it("lets a cluster's write and its class's roster wait for each other without a deadlock", async () => {
    const tokenHashFor = () => randomBytes(16).toString("hex");
    const alice = await clusters.create({
      tenant: "class-l",
      name: "alice",
      createTenant: true,
      tokenHashFor,
    });
    if (!alice) throw new Error("alice not created");

    let roster: Promise<unknown> | undefined;
    await writer.begin(async (tx) => {
      await tx`update clusters set resource_version = resource_version + 1 where id = ${alice.id}`;
      roster = clusters.createRoster({ tenantId: alice.tenantId, names: ["alice", "bob"], tokenHashFor });
      // the roster holds the class's row and waits for alice's
      for (let i = 0; ; i++) {
        const [waiting] = await db.$client`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%from "clusters"%'`;
        if (waiting?.n) break;
        if (i > 200) throw new Error("the roster never waited for the cluster's row");
        await new Promise((r) => setTimeout(r, 25));
      }
      await tx`update clusters set stored_bytes = stored_bytes + 1 where id = ${alice.id}`;
    });
    const items = (await roster) as { row: { name: string }; created: boolean }[];
    expect(items.map((i) => [i.row.name, i.created])).toEqual([
      ["alice", false],
      ["bob", true],
    ]);
  });
});
