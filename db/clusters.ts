import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNotNull, lt, sql } from "drizzle-orm";
import type { ClusterBudget } from "../core/k8s/budget";
import { defaultNamespace } from "../core/k8s/defaults/namespace";
import { DEFAULT_CLUSTER_ROLE_BINDINGS, DEFAULT_CLUSTER_ROLES } from "../core/k8s/rbac/defaults";
import { SYSTEM_PRIORITY_CLASSES } from "../core/k8s/scheduling/priority";
import { defaultIngressClass, INGRESS_CLASS, wellKnownServices } from "../core/k8s/services/well-known";
import { defaultStorageClass } from "../core/k8s/storage/types";
import type { KubeObject } from "../core/k8s/types";
import { isUuid } from "../core/uuid";
import type { Database } from "./client";
import type { ClusterNetworks } from "./networks";
import { clusters, clusterTeardowns, objects, tenants } from "./schema";
import { reserveClusterIp } from "./service-allocations";
import { ObjectStore, type Tx } from "./store";

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
        [tenant] = await tx.select().from(tenants).where(eq(tenants.name, input.tenant)).for("update");
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
      const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, input.tenantId)).for("update");
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
    const [row] = await tx
      .insert(clusters)
      .values({
        id,
        tenantId: tenant.id,
        name,
        tokenHash: tokenHashFor(id),
        ...(expiresAt
          ? { expiresAt }
          : tenant.clusterLifetimeSeconds
            ? { expiresAt: sql`now() + make_interval(secs => ${tenant.clusterLifetimeSeconds})` }
            : {}),
      })
      .returning();
    if (!row) throw new Error(`cluster ${name} was not written`);
    const network = await this.networks.reserve(tx, id);
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
    return row;
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

  async terminating(): Promise<ClusterRow[]> {
    return this.db.select().from(clusters).where(eq(clusters.phase, "Terminating"));
  }

  /** Removes every object of the cluster at once (teardown: no finalizers, no watchers left to tell). */
  async removeObjects(id: string): Promise<void> {
    await this.db.delete(objects).where(eq(objects.clusterId, id));
  }

  async recordTeardown(id: string, nodeName: string): Promise<void> {
    await this.db.insert(clusterTeardowns).values({ clusterId: id, nodeName }).onConflictDoNothing();
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
      await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, row.tenantId)).for("update");
      await tx.delete(clusters).where(eq(clusters.id, id));
      await removeTenantIfEmptied(tx, row.tenantId);
    });
  }
}
