import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config";
import { KubeError } from "../../core/k8s/errors";
import type { ObjectKey } from "../../core/objects";
import { connect, type Database } from "../../db/client";
import { ClusterRepository } from "../../db/clusters";
import { ClusterNetworks } from "../../db/networks";
import { serviceAllocations } from "../../db/schema";
import { platformStore } from "../../db/service-allocations";
import type { ObjectStore } from "../../db/store";
import { TenantRepository } from "../../db/tenants";
import { createTestDatabase, type TestDatabase } from "../support/database";

const key = (clusterId: string, resource: string, name: string, namespace = "default"): ObjectKey => ({
  clusterId,
  group: "",
  resource,
  namespace,
  name,
});

/** What a cluster holds, as `group/resource/namespace/name` keys. */
async function keysOf(db: Database, clusterId: string): Promise<string[]> {
  const rows = (await db.$client`
    select api_group, resource, namespace, name from objects where cluster_id = ${clusterId}
    order by 1, 2, 3, 4`) as unknown as {
    api_group: string;
    resource: string;
    namespace: string;
    name: string;
  }[];
  return rows.map((r) => `${r.api_group}/${r.resource}/${r.namespace}/${r.name}`);
}

/** The store side of a reset (ClusterRepository): what goes, what stays, what is refused meanwhile. */
describe("resetting a cluster in the store", () => {
  let database: TestDatabase;
  let db: Database;
  let store: ObjectStore;
  let clusters: ClusterRepository;
  let fresh: string[];

  const create = async (tenant: string, name: string) => {
    const row = await clusters.create({
      tenant,
      name,
      createTenant: true,
      tokenHashFor: () => randomBytes(16).toString("hex"),
    });
    if (!row) throw new Error(`cluster ${name} not created`);
    return row;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = connect(database.url, { max: 5 });
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: database.url,
      TIMONIER_ADMIN_TOKEN: randomBytes(16).toString("hex"),
    });
    const networks = new ClusterNetworks(db, { pool: "10.201.0.0/16", prefix: 23 });
    store = platformStore(db, networks, config);
    clusters = new ClusterRepository(db, networks);
    await new TenantRepository(db).create({
      name: "lab",
      teacherTokenHash: "h",
      charts: [{ name: "site", namespace: "web", catalog: "web" }],
    });
    fresh = await keysOf(db, (await create("default", "fresh")).id);
  });
  afterAll(async () => {
    await db?.$client.end();
    await database?.drop();
  });

  it("empties the cluster, refuses writes meanwhile, and gives it a new cluster's objects back", async () => {
    const row = await create("default", "ann");
    await store.create(key(row.id, "configmaps", "notes"), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "notes", namespace: "default" },
      data: { a: "b" },
    });
    await store.create(key(row.id, "services", "web"), {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { type: "NodePort", ports: [{ port: 80 }] },
    });
    expect((await clusters.get(row.id))?.storedBytes).toBeGreaterThan(0);
    const rvBefore = Number((await clusters.get(row.id))?.resourceVersion);

    const marked = await clusters.markResetting(row.id);
    expect(marked).toMatchObject({ phase: "Resetting", resetGeneration: 1, tokenHash: row.tokenHash });
    // a second reset while one is under way changes nothing
    expect(await clusters.markResetting(row.id)).toMatchObject({ phase: "Resetting", resetGeneration: 1 });
    const refused = await store
      .create(key(row.id, "configmaps", "late"), {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "late", namespace: "default" },
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KubeError);
    expect((refused as KubeError).status).toMatchObject({ code: 503, details: { retryAfterSeconds: 1 } });

    await clusters.emptyForReset(row.id);
    expect(await keysOf(db, row.id)).toEqual([]);
    // each object went with a DELETED change after everything the cluster had committed
    const deleted = await store.changesSince(row.id, rvBefore);
    expect(deleted.every((c) => c.type === "DELETED")).toBe(true);
    expect(deleted.map((c) => `${c.resource}/${c.name}`)).toEqual(
      expect.arrayContaining(["configmaps/notes", "services/web", "namespaces/default"]),
    );
    expect(deleted.every((c) => c.object.metadata.resourceVersion === String(c.resourceVersion))).toBe(true);
    const allocations = await db.select().from(serviceAllocations);
    expect(allocations.filter((a) => a.clusterId === row.id)).toEqual([]);
    expect((await clusters.get(row.id))?.storedBytes).toBe(0);

    // sweeps are counted while the reset runs, and only then
    await clusters.recordTeardown(row.id, "n1");
    expect(await clusters.teardownsDone(row.id)).toEqual(["n1"]);

    expect(await clusters.completeReset(row.id, 0)).toBeUndefined();
    const done = await clusters.completeReset(row.id, 1);
    expect(done).toMatchObject({
      phase: "Active",
      resetGeneration: 1,
      chartsGeneration: 1,
      tokenHash: row.tokenHash,
    });
    expect(await clusters.teardownsDone(row.id)).toEqual([]);
    await clusters.recordTeardown(row.id, "n1");
    expect(await clusters.teardownsDone(row.id)).toEqual([]);
    // the objects of a new cluster, made anew, with the well-known Services' addresses held again
    expect(await keysOf(db, row.id)).toEqual(fresh);
    const kubernetes = await store.get(key(row.id, "services", "kubernetes"));
    expect(kubernetes?.metadata.resourceVersion).not.toBeUndefined();
    expect(Number(kubernetes?.metadata.resourceVersion)).toBeGreaterThan(rvBefore);
    expect(
      (await db.select().from(serviceAllocations)).filter((a) => a.clusterId === row.id).length,
    ).toBeGreaterThan(0);
    await store.create(key(row.id, "configmaps", "after"), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "after", namespace: "default" },
    });
  });

  it("leaves a cluster being torn down alone", async () => {
    const row = await create("default", "gone");
    await clusters.markTerminating(row.id);
    expect(await clusters.markResetting(row.id)).toMatchObject({ phase: "Terminating", resetGeneration: 0 });
    expect(await clusters.resetting()).not.toContainEqual(expect.objectContaining({ id: row.id }));
  });

  it("keeps a class's clusters' charts pending until installed for their reset generation", async () => {
    const plain = await create("default", "plain");
    expect(plain.chartsGeneration).toBe(0);
    const row = await create("lab", "bo");
    expect(row.chartsGeneration).toBeNull();
    const pending = async () => (await clusters.chartsPending()).map((c) => c.id);
    expect(await pending()).toContain(row.id);
    expect(await pending()).not.toContain(plain.id);
    expect((await clusters.classCharts(row.id))?.charts).toEqual([
      { name: "site", namespace: "web", catalog: "web" },
    ]);
    expect(await clusters.markChartsInstalled(row.id, 0)).toBe(true);
    expect(await pending()).not.toContain(row.id);

    await clusters.markResetting(row.id);
    // not while it is being reset
    expect(await pending()).not.toContain(row.id);
    expect(await clusters.markChartsInstalled(row.id, 1)).toBe(false);
    await clusters.emptyForReset(row.id);
    expect(await clusters.completeReset(row.id, 1)).toMatchObject({
      phase: "Active",
      chartsGeneration: null,
    });
    expect(await pending()).toContain(row.id);
    // what was installed for the earlier generation does not count for this one
    expect(await clusters.markChartsInstalled(row.id, 0)).toBe(false);
    expect(await clusters.markChartsInstalled(row.id, 1)).toBe(true);
    expect(await pending()).not.toContain(row.id);
  });
});
