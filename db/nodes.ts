import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "./client";
import { nodes } from "./schema";

export type NodeRow = typeof nodes.$inferSelect;
export type NodeRegistration = Omit<
  typeof nodes.$inferInsert,
  "uid" | "createdAt" | "heartbeatAt" | "resourceVersion"
>;

/** The Docker hosts that run pods; shared by every cluster. */
export class NodeRepository {
  constructor(private readonly db: Database) {}

  /** Registers or refreshes a node; the agent calls it at start and on every heartbeat. */
  async register(node: NodeRegistration): Promise<NodeRow> {
    const [row] = await this.db
      .insert(nodes)
      .values(node)
      .onConflictDoUpdate({
        target: nodes.name,
        set: {
          ...node,
          heartbeatAt: sql`now()`,
          resourceVersion: sql`${nodes.resourceVersion} + 1`,
        },
      })
      .returning();
    if (!row) throw new Error(`node ${node.name} was not registered`);
    return row;
  }

  async heartbeat(name: string): Promise<void> {
    await this.db.update(nodes).set({ heartbeatAt: sql`now()` }).where(eq(nodes.name, name));
  }

  async list(): Promise<NodeRow[]> {
    return this.db.select().from(nodes).orderBy(asc(nodes.name));
  }

  async get(name: string): Promise<NodeRow | undefined> {
    const [row] = await this.db.select().from(nodes).where(eq(nodes.name, name));
    return row;
  }
}

/** A node is Ready while its agent's heartbeat is younger than this (the kubelet's default grace). */
export const NODE_READY_GRACE_MS = 40_000;

export function isNodeReady(node: NodeRow, now: Date): boolean {
  return now.getTime() - node.heartbeatAt.getTime() < NODE_READY_GRACE_MS;
}

/** The labels a platform node carries as a v1 Node: the well-known ones, then the operator's. */
export function nodeLabels(node: NodeRow): Record<string, string> {
  const arch = node.info.architecture ?? "amd64";
  return {
    "kubernetes.io/hostname": node.name,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": arch,
    "beta.kubernetes.io/os": "linux",
    "beta.kubernetes.io/arch": arch,
    ...node.labels,
  };
}
