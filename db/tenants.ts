import { asc, eq, sql } from "drizzle-orm";
import type { ExerciseCheck } from "../core/checks";
import type { Database } from "./client";
import { notifyTerminating, removeTenantIfEmptied } from "./clusters";
import { clusters, tenants } from "./schema";
import type { Tx } from "./store";

export type TenantRow = typeof tenants.$inferSelect;
export type TenantWithCount = TenantRow & { clusterCount: number };
export type TenantSettings = Partial<
  Pick<TenantRow, "budget" | "ceiling" | "clusterLifetimeSeconds" | "idleBeforeSleepSeconds" | "charts">
>;

// spelled out: drizzle leaves columns unqualified in one-table queries, which would bind inside the subquery
const clusterCount = sql<number>`(select count(*)::int from clusters c where c.tenant_id = "tenants"."id")`;

/** Classes: their settings, their teacher token's hash and their deletion. */
export class TenantRepository {
  constructor(private readonly db: Database) {}

  /** Creates the tenant; undefined when the name is taken. */
  async create(
    input: { name: string; teacherTokenHash: string } & TenantSettings,
  ): Promise<TenantRow | undefined> {
    const [row] = await this.db.insert(tenants).values(input).onConflictDoNothing().returning();
    return row;
  }

  async list(filter: { id?: string } = {}): Promise<TenantWithCount[]> {
    const rows = await this.db
      .select({ tenant: tenants, clusterCount })
      .from(tenants)
      .where(filter.id ? eq(tenants.id, filter.id) : undefined)
      .orderBy(asc(tenants.createdAt));
    return rows.map((r) => ({ ...r.tenant, clusterCount: r.clusterCount }));
  }

  async get(name: string): Promise<TenantWithCount | undefined> {
    const [row] = await this.db
      .select({ tenant: tenants, clusterCount })
      .from(tenants)
      .where(eq(tenants.name, name));
    return row ? { ...row.tenant, clusterCount: row.clusterCount } : undefined;
  }

  /** The tenant whose teacher token has this sha256. Read on every request, never cached: revoking is at once. */
  /** Replaces the class's exercise checks. */
  async setChecks(id: string, checks: ExerciseCheck[]): Promise<void> {
    await this.db.update(tenants).set({ checks }).where(eq(tenants.id, id));
  }

  async byTokenHash(hash: string): Promise<TenantRow | undefined> {
    const [row] = await this.db.select().from(tenants).where(eq(tenants.teacherTokenHash, hash));
    return row;
  }

  /**
   * Changes the tenant's settings as `decide` says, reading and writing under its row lock so that a check
   * against its ceiling cannot race with the ceiling's change. `decide` throws to change nothing.
   */
  async modify(name: string, decide: (row: TenantRow) => TenantSettings): Promise<TenantRow | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(tenants).where(eq(tenants.name, name)).for("no key update");
      if (!row) return undefined;
      const change = decide(row);
      if (Object.keys(change).length === 0) return row;
      const [updated] = await tx.update(tenants).set(change).where(eq(tenants.id, row.id)).returning();
      return updated;
    });
  }

  /** Sets (or, with null, revokes) the teacher token's hash; the previous token stops matching at commit. */
  async setTeacherTokenHash(name: string, hash: string | null): Promise<TenantRow | undefined> {
    const [row] = await this.db
      .update(tenants)
      .set({ teacherTokenHash: hash })
      .where(eq(tenants.name, name))
      .returning();
    return row;
  }

  /**
   * Marks the tenant and every cluster of it Terminating in one transaction and returns those clusters'
   * ids, for their teardown; a tenant without clusters is deleted at once. The tenant's row goes with its
   * last cluster (ClusterRepository.remove). Idempotent.
   */
  async markTerminating(name: string): Promise<{ tenant: TenantRow; clusterIds: string[] } | undefined> {
    return this.db.transaction(async (tx: Tx) => {
      const [tenant] = await tx
        .update(tenants)
        .set({ phase: "Terminating" })
        .where(eq(tenants.name, name))
        .returning();
      if (!tenant) return undefined;
      const ids = await tx
        .update(clusters)
        .set({ phase: "Terminating" })
        .where(eq(clusters.tenantId, tenant.id))
        .returning({ id: clusters.id });
      await notifyTerminating(
        tx,
        ids.map((r) => r.id),
      );
      await removeTenantIfEmptied(tx, tenant.id);
      return { tenant, clusterIds: ids.map((r) => r.id) };
    });
  }
}
