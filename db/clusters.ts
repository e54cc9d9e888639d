import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { ClusterBudget } from "../core/k8s/budget";
import { defaultNamespace } from "../core/k8s/defaults/namespace";
import { DEFAULT_CLUSTER_ROLE_BINDINGS, DEFAULT_CLUSTER_ROLES } from "../core/k8s/rbac/defaults";
import { SYSTEM_PRIORITY_CLASSES } from "../core/k8s/scheduling/priority";
import {
  defaultIngressClass,
  INGRESS_CLASS,
  KUBERNETES_SERVICE,
  kubernetesEndpoints,
  wellKnownServices,
} from "../core/k8s/services/well-known";
import { defaultStorageClass } from "../core/k8s/storage/types";
import type { KubeObject } from "../core/k8s/types";
import type { ClusterNetwork } from "../core/network/cluster-network";
import type { TenantChart } from "../core/tenants";
import { isUuid } from "../core/uuid";
import type { Database } from "./client";
import type { ClusterNetworks } from "./networks";
import {
  changes,
  clusters,
  clusterTeardowns,
  containerMetrics,
  objects,
  serviceAllocations,
  tenants,
} from "./schema";
import { reserveClusterIp } from "./service-allocations";
import { CHANGES_CHANNEL, ObjectStore, type Tx } from "./store";

export type ClusterRow = typeof clusters.$inferSelect;
type TenantRow = typeof tenants.$inferSelect;

/** A cluster with its tenant's name and the budget its tenant gives every cluster. */
export type ClusterWithTenant = ClusterRow & { tenant: string; tenantBudget: Partial<ClusterBudget> | null };

/** The tenant is not there to create a cluster in, or is being deleted (`status`: 404 or 409). */
export class TenantUnavailable extends Error {
  constructor(
    message: string,
    readonly status: 404 | 409,
  ) {
    super(message);
  }
}

/** Students of a roster whose clusters are still being torn down: their names are not free yet. */
export class StudentsTerminating extends Error {
  constructor(readonly students: string[]) {
    super(
      `the clusters of ${students.join(", ")} are still being torn down: post the roster again once they are gone`,
    );
  }
}

/** Deletes a Terminating tenant once it has no cluster left (its row lock orders this with creations). */
export async function removeTenantIfEmptied(tx: Tx, tenantId: string): Promise<void> {
  await tx
    .delete(tenants)
    .where(
      and(
        eq(tenants.id, tenantId),
        eq(tenants.phase, "Terminating"),
        sql`not exists (select 1 from ${clusters} where ${clusters.tenantId} = ${tenantId})`,
      ),
    );
}

/** Postgres channel carrying the id of each cluster marked Terminating (workers/controllers/cluster-teardown.ts). */
export const CLUSTER_TERMINATING_CHANNEL = "timonier_cluster_terminating";

export async function notifyTerminating(tx: Tx, clusterIds: string[]): Promise<void> {
  for (const id of clusterIds) await tx.execute(sql`select pg_notify(${CLUSTER_TERMINATING_CHANNEL}, ${id})`);
}

/**
 * Postgres channel carrying the id of each cluster that fell asleep or woke up
 * (workers/controllers/cluster-sleep.ts has its nodes stop or restart its pods).
 */
export const CLUSTER_SLEEP_CHANNEL = "timonier_cluster_sleep";

async function notifySleep(tx: Tx, clusterId: string): Promise<void> {
  await tx.execute(sql`select pg_notify(${CLUSTER_SLEEP_CHANNEL}, ${clusterId})`);
}

/** An Active cluster of a class that puts idle clusters to sleep, with what decides whether it sleeps now. */
export interface SleepCandidate {
  id: string;
  phase: string;
  createdAt: Date;
  lastActiveAt: Date | null;
  idleBeforeSleepSeconds: number | null;
}

/** Postgres channel carrying the id of each cluster marked Resetting (workers/controllers/cluster-reset.ts). */
export const CLUSTER_RESETTING_CHANNEL = "timonier_cluster_resetting";

/**
 * Postgres channel carrying the id of each cluster whose class charts are to be installed: made in a class
 * with charts, or reset (workers/controllers/class-charts.ts).
 */
export const CLUSTER_CHARTS_CHANNEL = "timonier_cluster_charts";

/** A cluster's class charts, and the generation of the cluster they are for. */
export interface ClassCharts {
  cluster: ClusterRow;
  charts: TenantChart[];
}

/**
 * Removes every object of the cluster in the caller's transaction, which holds the cluster's row lock: one
 * DELETED change each (the resourceVersions go on from the cluster's), notified to the change feed's
 * listeners, and what the objects held beside them (Service addresses and ports, container metrics, stored
 * bytes). The objects' finalizers are not waited for: the cluster is being emptied as a whole.
 */
async function emptyCluster(tx: Tx, id: string): Promise<void> {
  const deleted = (await tx.execute(sql`
    with gone as (
      delete from ${objects} where ${objects.clusterId} = ${id}
      returning api_group, resource, namespace, name, body
    ), numbered as (
      select gone.*, nextval('resource_version_seq') as rv from gone
    )
    insert into ${changes} (resource_version, cluster_id, api_group, resource, namespace, name, type, body)
    select rv, ${id}, api_group, resource, namespace, name, 'DELETED',
      jsonb_set(body, '{metadata,resourceVersion}', to_jsonb(rv::text))
    from numbered
    returning resource_version`)) as unknown as { resource_version: string | number }[];
  await tx.delete(serviceAllocations).where(eq(serviceAllocations.clusterId, id));
  await tx.delete(containerMetrics).where(eq(containerMetrics.clusterId, id));
  const last = Math.max(0, ...deleted.map((r) => Number(r.resource_version)));
  await tx
    .update(clusters)
    .set({ storedBytes: 0, resourceVersion: sql`greatest(${clusters.resourceVersion}, ${last})` })
    .where(eq(clusters.id, id));
  if (deleted.length) await tx.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${id})`);
}

/** Namespaces every cluster has from creation, as on a kubeadm cluster. */
export const INITIAL_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

function namespaceObject(name: string): KubeObject {
  return defaultNamespace({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

export class ClusterRepository {
  private readonly store: ObjectStore;
  constructor(
    private readonly db: Database,
    private readonly networks: ClusterNetworks,
  ) {
    this.store = new ObjectStore(db);
  }

  /**
   * Creates the cluster with its initial namespaces in one transaction, in the tenant of that name (made
   * on the way when `createTenant`, as `POST /v1/clusters` has always done for the admin). `tokenHashFor`
   * derives the token hash from the new id. Returns undefined when the tenant already has a cluster of that
   * name; throws TenantUnavailable when the tenant is missing (and not to be made) or being deleted.
   */
  async create(input: {
    tenant: string;
    name: string;
    tokenHashFor: (id: string) => string;
    createTenant?: boolean;
    /** When the cluster goes, over its class's default lifetime. */
    expiresAt?: Date;
  }): Promise<ClusterRow | undefined> {
    return this.db.transaction(async (tx) => {
      let tenant: TenantRow | undefined;
      if (input.createTenant) {
        // the upsert also locks the tenant's row: creations and its deletion take their turns
        [tenant] = await tx
          .insert(tenants)
          .values({ name: input.tenant })
          .onConflictDoUpdate({ target: tenants.name, set: { name: input.tenant } })
          .returning();
      } else {
        // NO KEY UPDATE, as everywhere the class's row is locked: a cluster write's foreign-key check (KEY
        // SHARE) passes it, so a write holding its cluster's row never waits here for us to wait on it
        [tenant] = await tx.select().from(tenants).where(eq(tenants.name, input.tenant)).for("no key update");
      }
      if (!tenant) throw new TenantUnavailable(`tenant ${input.tenant} not found`, 404);
      if (tenant.phase !== "Active")
        throw new TenantUnavailable(`tenant ${input.tenant} is being deleted`, 409);
      const [existing] = await tx
        .select({ id: clusters.id })
        .from(clusters)
        .where(and(eq(clusters.tenantId, tenant.id), eq(clusters.name, input.name)))
        .for("update");
      if (existing) return undefined;
      return this.insert(tx, tenant, input.name, input.tokenHashFor, input.expiresAt);
    });
  }

  /** Active or Sleeping clusters whose `expiresAt` has passed. */
  async expired(): Promise<ClusterRow[]> {
    return this.db
      .select()
      .from(clusters)
      .where(and(inArray(clusters.phase, ["Active", "Sleeping"]), lt(clusters.expiresAt, sql`now()`)));
  }

  /**
   * A class roster in one transaction: every name without a cluster in the tenant gets one, the others are
   * returned as they are (`created: false`), in the order given. All or nothing: a full address pool, a
   * tenant being deleted or a student whose cluster is still being torn down (StudentsTerminating) leaves
   * no cluster behind.
   */
  async createRoster(input: {
    tenantId: string;
    names: string[];
    tokenHashFor: (id: string) => string;
  }): Promise<{ row: ClusterRow; created: boolean }[]> {
    return this.db.transaction(async (tx) => {
      const [tenant] = await tx
        .select()
        .from(tenants)
        .where(eq(tenants.id, input.tenantId))
        .for("no key update");
      if (!tenant) throw new TenantUnavailable(`tenant ${input.tenantId} not found`, 404);
      if (tenant.phase !== "Active")
        throw new TenantUnavailable(`tenant ${tenant.name} is being deleted`, 409);
      const existing = new Map(
        (
          await tx
            .select()
            .from(clusters)
            .where(and(eq(clusters.tenantId, tenant.id), inArray(clusters.name, input.names)))
            .for("update")
        ).map((r) => [r.name, r]),
      );
      const leaving = input.names.filter((n) => existing.get(n)?.phase === "Terminating");
      if (leaving.length) throw new StudentsTerminating(leaving);
      const out: { row: ClusterRow; created: boolean }[] = [];
      for (const name of input.names) {
        const found = existing.get(name);
        if (found) out.push({ row: found, created: false });
        else out.push({ row: await this.insert(tx, tenant, name, input.tokenHashFor), created: true });
      }
      return out;
    });
  }

  /** The cluster's row, network, well-known Services and initial objects, in the caller's transaction. */
  private async insert(
    tx: Tx,
    tenant: TenantRow,
    name: string,
    tokenHashFor: (id: string) => string,
    expiresAt?: Date,
  ): Promise<ClusterRow> {
    const id = randomUUID();
    const withCharts = tenant.charts.length > 0;
    const [row] = await tx
      .insert(clusters)
      .values({
        id,
        tenantId: tenant.id,
        name,
        tokenHash: tokenHashFor(id),
        // a class without charts has none to install: nothing to wake, nothing for the resync to find
        chartsGeneration: withCharts ? null : 0,
        ...(expiresAt
          ? { expiresAt }
          : tenant.clusterLifetimeSeconds
            ? { expiresAt: sql`now() + make_interval(secs => ${tenant.clusterLifetimeSeconds})` }
            : {}),
      })
      .returning();
    if (!row) throw new Error(`cluster ${name} was not written`);
    await this.seedInitialObjects(tx, id, await this.networks.reserve(tx, id));
    if (withCharts) await tx.execute(sql`select pg_notify(${CLUSTER_CHARTS_CHANNEL}, ${id})`);
    return row;
  }

  /**
   * What a new cluster holds, as kubeadm leaves a cluster: the well-known Services (their ClusterIPs
   * reserved), the IngressClass and StorageClass, RBAC's default roles and bindings, the system
   * PriorityClasses, and the initial namespaces with their `default` ServiceAccounts. In the caller's
   * transaction; written at creation and again by a reset.
   */
  private async seedInitialObjects(tx: Tx, id: string, network: ClusterNetwork): Promise<void> {
    const services = wellKnownServices(network);
    for (const svc of services) {
      await reserveClusterIp(
        tx,
        { clusterId: id, namespace: svc.metadata.namespace as string, name: svc.metadata.name as string },
        svc.spec.clusterIP as string,
      );
    }
    await this.store.seed(tx, id, [
      ...services.map((obj) => ({
        key: {
          clusterId: id,
          group: "",
          resource: "services",
          namespace: obj.metadata.namespace as string,
          name: obj.metadata.name as string,
        },
        obj,
      })),
      ...kubernetesEndpoints(network).map((obj) => ({
        key: {
          clusterId: id,
          group: obj.kind === "Endpoints" ? "" : "discovery.k8s.io",
          resource: obj.kind === "Endpoints" ? "endpoints" : "endpointslices",
          namespace: "default",
          name: KUBERNETES_SERVICE,
        },
        obj,
      })),
      {
        key: {
          clusterId: id,
          group: "networking.k8s.io",
          resource: "ingressclasses",
          namespace: "",
          name: INGRESS_CLASS,
        },
        obj: defaultIngressClass(),
      },
      {
        key: {
          clusterId: id,
          group: "storage.k8s.io",
          resource: "storageclasses",
          namespace: "",
          name: "standard",
        },
        obj: defaultStorageClass(),
      },
      ...[...DEFAULT_CLUSTER_ROLES, ...DEFAULT_CLUSTER_ROLE_BINDINGS].map((obj) => ({
        key: {
          clusterId: id,
          group: "rbac.authorization.k8s.io",
          resource: obj.kind === "ClusterRole" ? "clusterroles" : "clusterrolebindings",
          namespace: "",
          name: obj.metadata.name as string,
        },
        obj: structuredClone(obj),
      })),
      ...SYSTEM_PRIORITY_CLASSES.map((pc) => ({
        key: {
          clusterId: id,
          group: "scheduling.k8s.io",
          resource: "priorityclasses",
          namespace: "",
          name: pc.metadata.name as string,
        },
        obj: structuredClone(pc),
      })),
      ...INITIAL_NAMESPACES.flatMap((ns) => [
        {
          key: { clusterId: id, group: "", resource: "namespaces", namespace: "", name: ns },
          obj: namespaceObject(ns),
        },
        {
          key: { clusterId: id, group: "", resource: "serviceaccounts", namespace: ns, name: "default" },
          obj: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: ns } },
        },
      ]),
    ]);
  }

  /** Every cluster, or one tenant's, oldest first. */
  async list(filter: { tenantId?: string } = {}): Promise<ClusterWithTenant[]> {
    const rows = await this.db
      .select({ cluster: clusters, tenant: tenants.name, tenantBudget: tenants.budget })
      .from(clusters)
      .innerJoin(tenants, eq(tenants.id, clusters.tenantId))
      .where(filter.tenantId ? eq(clusters.tenantId, filter.tenantId) : undefined)
      .orderBy(asc(clusters.createdAt));
    return rows.map((r) => ({ ...r.cluster, tenant: r.tenant, tenantBudget: r.tenantBudget }));
  }

  async get(id: string): Promise<ClusterWithTenant | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db
      .select({ cluster: clusters, tenant: tenants.name, tenantBudget: tenants.budget })
      .from(clusters)
      .innerJoin(tenants, eq(tenants.id, clusters.tenantId))
      .where(eq(clusters.id, id));
    return row ? { ...row.cluster, tenant: row.tenant, tenantBudget: row.tenantBudget } : undefined;
  }

  /** The tenant's cluster of that name (a student's, in a class). */
  async byName(tenantId: string, name: string): Promise<ClusterRow | undefined> {
    const [row] = await this.db
      .select()
      .from(clusters)
      .where(and(eq(clusters.tenantId, tenantId), eq(clusters.name, name)));
    return row;
  }

  /**
   * Gives the cluster a new token: bumps its generation and stores the new token's hash, so the old token
   * matches no row from the commit on. Returns the row before and after, or undefined when it is gone.
   */
  async rotateToken(
    id: string,
    tokenHashFor: (id: string, generation: number) => string,
  ): Promise<{ before: ClusterRow; after: ClusterRow } | undefined> {
    if (!isUuid(id)) return undefined;
    return this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(clusters).where(eq(clusters.id, id)).for("update");
      if (!before) return undefined;
      const generation = before.tokenGeneration + 1;
      const [after] = await tx
        .update(clusters)
        .set({ tokenGeneration: generation, tokenHash: tokenHashFor(id, generation) })
        .where(eq(clusters.id, id))
        .returning();
      return after ? { before, after } : undefined;
    });
  }

  /** Sets the cluster's own budget (what it leaves out follows the platform's defaults). */
  async setBudget(id: string, budget: Partial<ClusterBudget>): Promise<void> {
    await this.db.update(clusters).set({ budget }).where(eq(clusters.id, id));
  }

  async byTokenHash(hash: string): Promise<ClusterRow | undefined> {
    const [row] = await this.db.select().from(clusters).where(eq(clusters.tokenHash, hash));
    return row;
  }

  /** Marks the cluster Terminating; its objects stay until the teardown removed every container. */
  /** Marks the cluster Terminating and tells the teardown controller, in one transaction. */
  async markTerminating(id: string): Promise<ClusterRow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(clusters)
        .set({ phase: "Terminating" })
        .where(eq(clusters.id, id))
        .returning();
      if (row) await notifyTerminating(tx, [row.id]);
      return row;
    });
  }

  /** Active clusters whose class has an idleBeforeSleep: the cluster-sleep controller picks among them. */
  async sleepCandidates(): Promise<SleepCandidate[]> {
    return this.db
      .select({
        id: clusters.id,
        phase: clusters.phase,
        createdAt: clusters.createdAt,
        lastActiveAt: clusters.lastActiveAt,
        idleBeforeSleepSeconds: tenants.idleBeforeSleepSeconds,
      })
      .from(clusters)
      .innerJoin(tenants, eq(tenants.id, clusters.tenantId))
      .where(and(eq(clusters.phase, "Active"), isNotNull(tenants.idleBeforeSleepSeconds)));
  }

  /**
   * Puts the cluster to sleep if it is still Active and still idle for `idleSeconds` (a request noted
   * since it was picked keeps it awake), and tells the cluster-sleep controller; true when it fell asleep.
   */
  async markSleeping(id: string, idleSeconds: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(clusters)
        .set({ phase: "Sleeping" })
        .where(
          and(
            eq(clusters.id, id),
            eq(clusters.phase, "Active"),
            sql`coalesce(${clusters.lastActiveAt}, ${clusters.createdAt}) <= now() - make_interval(secs => ${idleSeconds})`,
          ),
        )
        .returning({ id: clusters.id });
      if (rows.length) await notifySleep(tx, id);
      return rows.length > 0;
    });
  }

  /**
   * Wakes a Sleeping cluster: Active again, and active now (so it does not fall asleep again before its
   * idle time has passed, whatever the API's activity flush says), with the cluster-sleep controller told.
   * One statement that changes nothing on a cluster that is not asleep; true when it woke it.
   */
  async wake(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(clusters)
        .set({ phase: "Active", lastActiveAt: sql`now()` })
        .where(and(eq(clusters.id, id), eq(clusters.phase, "Sleeping")))
        .returning({ id: clusters.id });
      if (rows.length) await notifySleep(tx, id);
      return rows.length > 0;
    });
  }

  async sleeping(): Promise<ClusterRow[]> {
    return this.db.select().from(clusters).where(eq(clusters.phase, "Sleeping"));
  }

  /**
   * Marks the cluster Resetting, a generation on, and tells the reset controller, in one transaction: from
   * its commit on, every write to its objects is refused (db/store.ts) until the reset is over. A cluster
   * already Resetting is left as it is, and so is one being torn down (the caller reads `phase`); a
   * Sleeping one is reset as an Active one. Undefined when there is no such cluster.
   */
  async markResetting(id: string): Promise<ClusterRow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(clusters).where(eq(clusters.id, id)).for("update");
      // a sleeping cluster resets as an active one: it comes back Active, emptied, awake
      if (row?.phase !== "Active" && row?.phase !== "Sleeping") return row;
      const [marked] = await tx
        .update(clusters)
        .set({ phase: "Resetting", resetGeneration: row.resetGeneration + 1 })
        .where(eq(clusters.id, id))
        .returning();
      // what nodes reported for an earlier reset says nothing of this one
      await tx.delete(clusterTeardowns).where(eq(clusterTeardowns.clusterId, id));
      await tx.execute(sql`select pg_notify(${CLUSTER_RESETTING_CHANNEL}, ${id})`);
      return marked;
    });
  }

  async resetting(): Promise<ClusterRow[]> {
    return this.db.select().from(clusters).where(eq(clusters.phase, "Resetting"));
  }

  /**
   * Removes every object of a Resetting cluster, each with its DELETED change so that watches, the
   * dispatcher and the node agents see it go, and what the objects held beside them: Service addresses and
   * ports, container metrics, stored bytes. Nothing when the cluster is not Resetting. Idempotent.
   */
  async emptyForReset(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ phase: clusters.phase })
        .from(clusters)
        .where(eq(clusters.id, id))
        .for("update");
      if (row?.phase === "Resetting") await emptyCluster(tx, id);
    });
  }

  /**
   * Ends a reset of `generation`: the cluster gets a new cluster's objects again (db seeds, as at creation),
   * turns Active, and its class charts are to be installed anew. Its row stays: id, name, token generation
   * (so its kubeconfig still opens it), network, budget, expiry. Undefined when the cluster is gone, no
   * longer Resetting, or reset again since.
   */
  async completeReset(id: string, generation: number): Promise<ClusterRow | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ cluster: clusters, charts: tenants.charts })
        .from(clusters)
        .innerJoin(tenants, eq(tenants.id, clusters.tenantId))
        .where(eq(clusters.id, id))
        .for("update", { of: clusters });
      if (row?.cluster.phase !== "Resetting" || row.cluster.resetGeneration !== generation) return undefined;
      // nothing can have been written meanwhile (writes are refused while Resetting); made sure of anyway
      await emptyCluster(tx, id);
      await this.seedInitialObjects(tx, id, await this.networks.of(id, tx));
      const withCharts = row.charts.length > 0;
      const [done] = await tx
        .update(clusters)
        .set({ phase: "Active", chartsGeneration: withCharts ? null : generation })
        .where(eq(clusters.id, id))
        .returning();
      await tx.delete(clusterTeardowns).where(eq(clusterTeardowns.clusterId, id));
      // the seeds' ADDED changes, for the watches open on the cluster
      await tx.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${id})`);
      if (withCharts) await tx.execute(sql`select pg_notify(${CLUSTER_CHARTS_CHANNEL}, ${id})`);
      return done;
    });
  }

  /** Active clusters whose class charts are still to install (for the class-charts controller's resync). */
  async chartsPending(): Promise<ClusterRow[]> {
    return this.db
      .select()
      .from(clusters)
      .where(
        and(
          eq(clusters.phase, "Active"),
          or(isNull(clusters.chartsGeneration), ne(clusters.chartsGeneration, clusters.resetGeneration)),
        ),
      );
  }

  /** The cluster with its class's charts, or undefined when it is gone. */
  async classCharts(id: string): Promise<ClassCharts | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db
      .select({ cluster: clusters, charts: tenants.charts })
      .from(clusters)
      .innerJoin(tenants, eq(tenants.id, clusters.tenantId))
      .where(eq(clusters.id, id));
    return row;
  }

  /**
   * Records that the class charts of `generation` are installed, unless the cluster was reset (or left
   * Active) since: that reset's charts are still to come. Returns whether it was recorded.
   */
  async markChartsInstalled(id: string, generation: number): Promise<boolean> {
    const rows = await this.db
      .update(clusters)
      .set({ chartsGeneration: generation })
      .where(and(eq(clusters.id, id), eq(clusters.phase, "Active"), eq(clusters.resetGeneration, generation)))
      .returning({ id: clusters.id });
    return rows.length > 0;
  }

  async terminating(): Promise<ClusterRow[]> {
    return this.db.select().from(clusters).where(eq(clusters.phase, "Terminating"));
  }

  /** Removes every object of the cluster at once (teardown: no finalizers, no watchers left to tell). */
  async removeObjects(id: string): Promise<void> {
    await this.db.delete(objects).where(eq(objects.clusterId, id));
  }

  /**
   * A node agent has swept the cluster off its node. Kept only while the cluster is Terminating or
   * Resetting: a sweep that comes late, once a reset is over, must not count for the next teardown.
   */
  async recordTeardown(id: string, nodeName: string): Promise<void> {
    await this.db.execute(sql`
      insert into ${clusterTeardowns} (cluster_id, node_name)
      select ${clusters.id}, ${nodeName} from ${clusters}
      where ${clusters.id} = ${id} and ${clusters.phase} in ('Terminating', 'Resetting')
      on conflict do nothing`);
  }

  async teardownsDone(id: string): Promise<string[]> {
    const rows = await this.db
      .select({ node: clusterTeardowns.nodeName })
      .from(clusterTeardowns)
      .where(eq(clusterTeardowns.clusterId, id));
    return rows.map((r) => r.node);
  }

  /**
   * Deletes the cluster row; objects go with it (cascade). The last cluster of a tenant being deleted
   * takes the tenant with it, in the same transaction.
   */
  async remove(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ tenantId: clusters.tenantId })
        .from(clusters)
        .where(eq(clusters.id, id));
      if (!row) return;
      // the tenant's row lock first, as creations and the tenant's deletion take it: whichever commits
      // second sees the other's work, so a tenant being deleted never outlives its last cluster
      await tx
        .select({ id: tenants.id })
        .from(tenants)
        .where(eq(tenants.id, row.tenantId))
        .for("no key update");
      await tx.delete(clusters).where(eq(clusters.id, id));
      await removeTenantIfEmptied(tx, row.tenantId);
    });
  }
}
