import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import type { ExerciseCheck } from "../core/checks";
import type { ClusterBudget } from "../core/k8s/budget";
import type { Taint } from "../core/k8s/scheduling/types";
import type { TenantChart } from "../core/tenants";

/** One global sequence; each write takes the next value, so resourceVersions only grow. */
export const resourceVersionSeq = pgSequence("resource_version_seq", { startWith: 1 });

/**
 * A class: the owner of a set of clusters, one per student, and the settings every one of them gets. What
 * its settings leave out follows the platform's defaults (core/config.ts).
 */
export const tenants = pgTable("tenants", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  /** sha256 of the teacher token; the token itself is shown once. Null: no teacher token (revoked, or never made). */
  teacherTokenHash: text("teacher_token_hash").unique(),
  /** Active, or Terminating: its clusters are being torn down, and the row goes with the last of them. */
  phase: text("phase").notNull().default("Active"),
  /** Each student cluster's budget, where it differs from the platform's; a cluster's own budget overrides it. */
  budget: jsonb("budget").$type<Partial<ClusterBudget>>(),
  /** The most a teacher may set as a budget, where it differs from the platform's default budget. Admin-only. */
  ceiling: jsonb("ceiling").$type<Partial<ClusterBudget>>(),
  /** How long a new cluster lives (stored as each cluster's `expiresAt`). */
  clusterLifetimeSeconds: integer("cluster_lifetime_seconds"),
  /** How long a cluster may stay idle before it sleeps. */
  idleBeforeSleepSeconds: integer("idle_before_sleep_seconds"),
  /** Charts for every new cluster: catalog names or uploaded charts' files. */
  charts: jsonb("charts").notNull().$type<TenantChart[]>().default([]),
  /** The class's exercise checks, evaluated against each student's live objects (core/checks.ts). */
  checks: jsonb("checks").notNull().$type<ExerciseCheck[]>().default([]),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const clusters = pgTable(
  "clusters",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    name: text("name").notNull(),
    /** sha256 of the cluster token; the token itself is only ever in the kubeconfig. */
    tokenHash: text("token_hash").notNull().unique(),
    /** Mixed into the token's derivation (core/tokens.ts): rotating the kubeconfig bumps it. */
    tokenGeneration: integer("token_generation").notNull().default(0),
    /**
     * Active; Resetting (POST /v1/clusters/{id}/reset: its objects and containers are being removed, its
     * objects refuse writes); Terminating (its teardown is under way).
     */
    phase: text("phase").notNull().default("Active"),
    /** How many times the cluster was reset: each reset empties it back to what a new cluster holds. */
    resetGeneration: integer("reset_generation").notNull().default(0),
    /**
     * The resetGeneration whose class charts are installed (workers/controllers/class-charts.ts); null while
     * they are still to install. A cluster of a class without charts is born with 0.
     */
    chartsGeneration: integer("charts_generation"),
    /** What this cluster may use, where it differs from the platform's defaults (core/k8s/budget.ts). */
    budget: jsonb("budget").$type<Partial<ClusterBudget>>(),
    /** What its objects take in storage, as JSON bytes: kept by every write (db/storage-admission.ts). */
    storedBytes: bigint("stored_bytes", { mode: "number" }).notNull().default(0),
    /**
     * The last resourceVersion committed in this cluster. Every write bumps it in its own transaction, so
     * the row lock orders a cluster's commits by resourceVersion and a watch from N never misses one.
     */
    resourceVersion: bigint("resource_version", { mode: "number" }).notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** When the cluster's lifetime ends: its tenant's `clusterLifetimeSeconds` after creation, if it has one. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** When its student last used its Kubernetes API (kept by the API, a few seconds late). */
    lastActiveAt: timestamp("last_active_at", { withTimezone: true }),
  },
  (t) => [index("clusters_tenant_idx").on(t.tenantId, t.name)],
);

/** Every Kubernetes object of every cluster. `body` is the object exactly as the API serves it. */
export const objects = pgTable(
  "objects",
  {
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    apiGroup: text("api_group").notNull(),
    resource: text("resource").notNull(),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    uid: uuid("uid").notNull(),
    resourceVersion: bigint("resource_version", { mode: "number" }).notNull(),
    /** Pods only: the node they are bound to, for the scheduler's and node agents' queries. */
    nodeName: text("node_name"),
    body: jsonb("body").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.clusterId, t.apiGroup, t.resource, t.namespace, t.name] }),
    index("objects_node_idx").on(t.nodeName).where(sql`${t.nodeName} is not null`),
    index("objects_unscheduled_pods_idx")
      .on(t.clusterId)
      .where(sql`${t.resource} = 'pods' and ${t.apiGroup} = '' and ${t.nodeName} is null`),
  ],
);

/** The change feed: one row per committed write, read by watches. Compacted by age. */
export const changes = pgTable(
  "changes",
  {
    resourceVersion: bigint("resource_version", { mode: "number" }).primaryKey(),
    clusterId: uuid("cluster_id").notNull(),
    apiGroup: text("api_group").notNull(),
    resource: text("resource").notNull(),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    type: text("type").notNull().$type<"ADDED" | "MODIFIED" | "DELETED">(),
    body: jsonb("body").notNull(),
    /** MODIFIED only: the object before, so that a watch with a selector sees objects enter and leave it. */
    previous: jsonb("previous"),
    /** W3C trace context of the write: the reconciles it wakes continue its trace. */
    trace: jsonb("trace").$type<Record<string, string>>(),
    committedAt: timestamp("committed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("changes_cluster_idx").on(t.clusterId, t.resourceVersion),
    index("changes_time_idx").on(t.committedAt),
  ],
);

/**
 * How far the dispatcher (workers/dispatcher.ts) has read each cluster's change feed: changes above this
 * resourceVersion have not yet woken their reconcilers.
 */
export const dispatchCursors = pgTable("dispatch_cursors", {
  clusterId: uuid("cluster_id")
    .primaryKey()
    .references(() => clusters.id, { onDelete: "cascade" }),
  resourceVersion: bigint("resource_version", { mode: "number" }).notNull(),
});

/** Docker hosts that run pods, shared by all clusters. */
export const nodes = pgTable("nodes", {
  name: text("name").primaryKey(),
  dockerHost: text("docker_host").notNull(),
  /**
   * Where the node agent serves logs and streams (the kubelet's role). The API authenticates to it with a
   * ticket signed per request (core/agent-protocol): no agent secret is kept here.
   */
  agentUrl: text("agent_url"),
  capacity: jsonb("capacity").notNull().$type<Record<string, string>>(),
  allocatable: jsonb("allocatable").notNull().$type<Record<string, string>>(),
  labels: jsonb("labels").notNull().$type<Record<string, string>>().default({}),
  /** The operator's taints (TIMONIER_NODE_TAINTS), served as the Node's spec.taints. */
  taints: jsonb("taints").notNull().$type<Taint[]>().default([]),
  info: jsonb("info").notNull().$type<Record<string, string>>().default({}),
  addresses: jsonb("addresses").notNull().$type<{ type: string; address: string }[]>().default([]),
  uid: uuid("uid").notNull().defaultRandom(),
  heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  resourceVersion: integer("resource_version").notNull().default(1),
  /**
   * Registered through the management API (`POST /v1/nodes`): the worker replicas run its agent. A node
   * configured in a worker's environment (DOCKER_HOST) is run by that worker alone.
   */
  managed: boolean("managed").notNull().default(false),
  /** Where the client certificate for a TLS engine is (ca.pem, cert.pem, key.pem), as DOCKER_CERT_PATH. */
  certPath: text("cert_path"),
  /** The operator's pod capacity for the node; sized from the host's memory when null. */
  maxPods: integer("max_pods"),
  /** The platform admin's cordon (`spec.unschedulable`), for every cluster. */
  unschedulable: boolean("unschedulable").notNull().default(false),
  /** The node lifecycle controller's taints (`node.kubernetes.io/unreachable`), with their timeAdded. */
  conditionTaints: jsonb("condition_taints").notNull().$type<Taint[]>().default([]),
  /** `DELETE /v1/nodes/{name}`: drained, then removed once no pod is bound to it. */
  draining: boolean("draining").notNull().default(false),
  /** When the Ready condition last changed (to Unknown or back to True). */
  readyTransitionAt: timestamp("ready_transition_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Bookkeeping of the change feed: changes at or below `compactedResourceVersion` are gone (410 Gone). */
export const feedState = pgTable("feed_state", {
  id: integer("id").primaryKey(),
  compactedResourceVersion: bigint("compacted_resource_version", { mode: "number" }).notNull().default(0),
});

/**
 * Which node agents have removed a Terminating (or Resetting) cluster's containers, network and volumes:
 * the teardown, or the reset, goes on once every ready node has.
 */
export const clusterTeardowns = pgTable(
  "cluster_teardowns",
  {
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    nodeName: text("node_name").notNull(),
    doneAt: timestamp("done_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.nodeName] })],
);

/**
 * The address block of each cluster (see core/network/cluster-network.ts), unique across the platform so
 * that every cluster's Docker network can live on any node beside the others.
 */
export const clusterNetworks = pgTable("cluster_networks", {
  clusterId: uuid("cluster_id")
    .primaryKey()
    .references(() => clusters.id, { onDelete: "cascade" }),
  cidr: text("cidr").notNull().unique(),
});

/**
 * Addresses and ports held by Services: ClusterIPs (pool `clusterip/<cluster>`), NodePorts and
 * LoadBalancer addresses (platform-wide pools, since every cluster shares the nodes). Written in the
 * transaction that writes the Service, so a refused Service holds nothing.
 */
export const serviceAllocations = pgTable(
  "service_allocations",
  {
    pool: text("pool").notNull(),
    value: text("value").notNull(),
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.pool, t.value] }),
    index("service_allocations_owner_idx").on(t.clusterId, t.namespace, t.name),
  ],
);

/** The latest resource usage of each running container, sampled by its node agent (metrics.k8s.io). */
export const containerMetrics = pgTable(
  "container_metrics",
  {
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    namespace: text("namespace").notNull(),
    pod: text("pod").notNull(),
    container: text("container").notNull(),
    nodeName: text("node_name").notNull(),
    cpuNanoCores: bigint("cpu_nano_cores", { mode: "number" }).notNull(),
    memoryBytes: bigint("memory_bytes", { mode: "number" }).notNull(),
    sampledAt: timestamp("sampled_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.clusterId, t.namespace, t.pod, t.container] }),
    index("container_metrics_node_idx").on(t.nodeName),
  ],
);
