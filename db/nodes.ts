import { and, asc, eq, lt, sql } from "drizzle-orm";
import type { Taint } from "../core/k8s/scheduling/types";
import type { Database } from "./client";
import { nodes } from "./schema";

export type NodeRow = typeof nodes.$inferSelect;
export type NodeRegistration = Omit<
  typeof nodes.$inferInsert,
  | "uid"
  | "createdAt"
  | "heartbeatAt"
  | "resourceVersion"
  | "managed"
  | "certPath"
  | "maxPods"
  | "unschedulable"
  | "conditionTaints"
  | "draining"
  | "readyTransitionAt"
>;

/** What the management API records of a Docker host it registers: how to reach it, besides what it reports. */
export interface ManagedNode {
  certPath: string | null;
  maxPods: number | null;
}

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

  /**
   * Registers a node through the management API; undefined when the name is taken. It has no heartbeat
   * until its agent starts (`NEVER`), so it is not Ready before.
   */
  async create(node: NodeRegistration, managed: ManagedNode): Promise<NodeRow | undefined> {
    const [row] = await this.db
      .insert(nodes)
      .values({ ...node, ...managed, managed: true, heartbeatAt: NEVER })
      .onConflictDoNothing()
      .returning();
    return row;
  }

  async remove(name: string): Promise<void> {
    await this.db.delete(nodes).where(eq(nodes.name, name));
  }

  /** Cordons (or uncordons) a node for every cluster, or marks it draining; undefined when there is none. */
  async modify(
    name: string,
    change: { unschedulable?: boolean; draining?: boolean },
  ): Promise<NodeRow | undefined> {
    const [row] = await this.db
      .update(nodes)
      .set({ ...change, resourceVersion: sql`${nodes.resourceVersion} + 1` })
      .where(eq(nodes.name, name))
      .returning();
    return row;
  }

  /**
   * The node lifecycle controller's verdict: its taints and whether Ready changed. Written only if the
   * node's heartbeat is still the one the verdict was made on, so a heartbeat that came meanwhile wins.
   */
  async setCondition(
    name: string,
    seenHeartbeat: Date,
    conditionTaints: Taint[],
    transitionAt: Date,
  ): Promise<boolean> {
    const rows = await this.db
      .update(nodes)
      .set({
        conditionTaints,
        readyTransitionAt: transitionAt,
        resourceVersion: sql`${nodes.resourceVersion} + 1`,
      })
      // Postgres keeps microseconds, a Date milliseconds: a newer heartbeat is at least a millisecond later
      .where(and(eq(nodes.name, name), lt(nodes.heartbeatAt, new Date(seenHeartbeat.getTime() + 1))))
      .returning({ name: nodes.name });
    return rows.length > 0;
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

/** The heartbeat of a node whose agent never posted its status. */
export const NEVER = new Date(0);

/** A node is Ready while its agent's heartbeat is younger than this (the kubelet's default grace). */
export const NODE_READY_GRACE_MS = 40_000;

/** The taint the node lifecycle controller puts on a node that stopped posting its status. */
export const UNREACHABLE = "node.kubernetes.io/unreachable";
/** The taint a cordoned node carries, as the node lifecycle controller puts it on `spec.unschedulable`. */
export const UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

/**
 * Ready while its heartbeat is younger than the kubelet's grace and the node lifecycle controller has not
 * found it unreachable (it does so sooner when the platform's grace is shorter).
 */
export function isNodeReady(node: NodeRow, now: Date): boolean {
  return (
    now.getTime() - node.heartbeatAt.getTime() < NODE_READY_GRACE_MS &&
    !node.conditionTaints.some((t) => t.key === UNREACHABLE)
  );
}

/** Every taint the platform puts on a node: the operator's, the lifecycle controller's, the admin's cordon. */
export function platformTaints(node: NodeRow): Taint[] {
  return [
    ...node.taints,
    ...node.conditionTaints,
    ...(node.unschedulable ? [{ key: UNSCHEDULABLE, effect: "NoSchedule" as const }] : []),
  ];
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
