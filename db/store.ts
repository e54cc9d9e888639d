import { randomUUID } from "node:crypto";
import { and, asc, eq, gt, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { KubeError, kubeErrors, statusFailure } from "../core/k8s/errors";
import type { KubeObject } from "../core/k8s/types";
import type { ObjectKey } from "../core/objects";
import { traceCarrier } from "../core/telemetry";
import { isUuid } from "../core/uuid";
import type { Database } from "./client";
import { changes, clusters, feedState, objects } from "./schema";

export interface ListQuery {
  clusterId: string;
  group: string;
  resource: string;
  /** Omit for all namespaces. */
  namespace?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

/** A committed write, as the change feed keeps it: which object, how, and the object as written. */
export interface Change extends ObjectKey {
  resourceVersion: number;
  type: ChangeType;
  object: KubeObject;
  /** MODIFIED: the object before the write. */
  previous?: KubeObject;
  /** W3C trace context of the write, so that the reconciles it wakes continue its trace. */
  trace?: Record<string, string>;
}

/** Postgres channel that carries the cluster id of each commit; listeners then read `changes`. */
export const CHANGES_CHANNEL = "timonier_changes";

export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Bookkeeping of one kind that must commit or fail with its objects (Services hold addresses and ports).
 * Runs inside the write's transaction; `beforeWrite` may complete `next` and throws a `KubeError` to refuse.
 */
export interface WriteHook {
  beforeWrite(tx: Tx, key: ObjectKey, next: KubeObject, current: KubeObject | undefined): Promise<void>;
  afterDelete(tx: Tx, key: ObjectKey, deleted: KubeObject): Promise<void>;
}

/** Write hooks by `group/resource`, each a list run in order; those under `*` run for every write after them. */
export type WriteHooks = Partial<Record<string, WriteHook[]>>;

function hookOf(hooks: WriteHooks, key: ObjectKey): WriteHook | undefined {
  const chain = [...(hooks[`${key.group}/${key.resource}`] ?? []), ...(hooks["*"] ?? [])];
  if (!chain.length) return undefined;
  return {
    async beforeWrite(tx, k, next, current) {
      for (const hook of chain) await hook.beforeWrite(tx, k, next, current);
    },
    async afterDelete(tx, k, deleted) {
      for (const hook of chain) await hook.afterDelete(tx, k, deleted);
    },
  };
}

function nodeNameOf(key: ObjectKey, obj: KubeObject): string | null {
  if (key.group !== "" || key.resource !== "pods") return null;
  return (obj.spec as { nodeName?: string } | undefined)?.nodeName || null;
}

/**
 * The object store: every write bumps the cluster's resourceVersion under its row lock, writes the object
 * and a change row, and notifies listeners — all in one transaction, so a failed write leaves nothing.
 * Writes throw `KubeError`s (404, 409 AlreadyExists / Conflict) the API returns unchanged. Reconcilers are
 * woken from the change rows (workers/dispatcher.ts), never by the writer: a write needs Postgres alone.
 */
export class ObjectStore {
  constructor(
    private readonly db: Database,
    private readonly hooks: WriteHooks = {},
  ) {}

  async get(key: ObjectKey): Promise<KubeObject | undefined> {
    const rows = await this.db.select({ body: objects.body }).from(objects).where(keyMatch(key)).limit(1);
    return rows[0]?.body as KubeObject | undefined;
  }

  /**
   * A consistent snapshot: the items and the cluster resourceVersion they were read at, in one statement
   * (which reads one snapshot) rather than a transaction of five round trips.
   */
  async list(q: ListQuery): Promise<ListResult> {
    const conditions = [
      eq(objects.clusterId, clusters.id),
      eq(objects.apiGroup, q.group),
      eq(objects.resource, q.resource),
    ];
    if (q.namespace !== undefined) conditions.push(eq(objects.namespace, q.namespace));
    const rows = await this.db
      .select({ rv: clusters.resourceVersion, body: objects.body })
      .from(clusters)
      .leftJoin(objects, and(...conditions))
      .where(eq(clusters.id, q.clusterId))
      .orderBy(asc(objects.namespace), asc(objects.name));
    return {
      items: rows.flatMap((r) => (r.body ? [r.body as KubeObject] : [])),
      resourceVersion: String(rows[0]?.rv ?? 0),
    };
  }

  /** Pods bound to a node, across every cluster: what a node agent must run. */
  async podsOnNode(nodeName: string): Promise<{ clusterId: string; pod: KubeObject }[]> {
    const rows = await this.db
      .select({ clusterId: objects.clusterId, body: objects.body })
      .from(objects)
      .where(and(eq(objects.nodeName, nodeName), eq(objects.resource, "pods"), eq(objects.apiGroup, "")));
    return rows.map((r) => ({ clusterId: r.clusterId, pod: r.body as KubeObject }));
  }

  /** Pending pods that preempted others and wait for their nominated node, across every cluster. */
  async nominatedPods(): Promise<{ clusterId: string; object: KubeObject }[]> {
    return this.bodiesWhere(
      and(
        eq(objects.resource, "pods"),
        eq(objects.apiGroup, ""),
        isNull(objects.nodeName),
        sql`${objects.body}->'status'->>'nominatedNodeName' is not null`,
      ),
    );
  }

  /** Services the node gateway exposes (NodePort and LoadBalancer), across every cluster. */
  async exposedServices(): Promise<{ clusterId: string; object: KubeObject }[]> {
    return this.bodiesWhere(
      and(
        eq(objects.apiGroup, ""),
        eq(objects.resource, "services"),
        sql`${objects.body}->'spec'->>'type' in ('NodePort', 'LoadBalancer')`,
      ),
    );
  }

  /** Every object of one resource across every cluster, with its cluster. */
  async everywhere(group: string, resource: string): Promise<{ clusterId: string; object: KubeObject }[]> {
    return this.bodiesWhere(and(eq(objects.apiGroup, group), eq(objects.resource, resource)));
  }

  /** The pods of these clusters. */
  async podsOf(clusterIds: string[]): Promise<{ clusterId: string; object: KubeObject }[]> {
    if (!clusterIds.length) return [];
    return this.bodiesWhere(
      and(inArray(objects.clusterId, clusterIds), eq(objects.apiGroup, ""), eq(objects.resource, "pods")),
    );
  }

  private async bodiesWhere(where: SQL | undefined): Promise<{ clusterId: string; object: KubeObject }[]> {
    const rows = await this.db
      .select({ clusterId: objects.clusterId, body: objects.body })
      .from(objects)
      .where(where);
    return rows.map((r) => ({ clusterId: r.clusterId, object: r.body as KubeObject }));
  }

  /** Pods waiting for a node, across every cluster. */
  async unscheduledPods(limit = 500): Promise<ObjectKey[]> {
    const rows = await this.db
      .select({ clusterId: objects.clusterId, namespace: objects.namespace, name: objects.name })
      .from(objects)
      .where(and(eq(objects.resource, "pods"), eq(objects.apiGroup, ""), isNull(objects.nodeName)))
      .limit(limit);
    return rows.map((r) => ({ ...r, group: "", resource: "pods" }));
  }

  /** Every object of one resource across every cluster, as references for a controller's resync. */
  async keysOf(
    group: string,
    resource: string,
  ): Promise<{ clusterId: string; namespace: string; name: string }[]> {
    return this.db
      .select({ clusterId: objects.clusterId, namespace: objects.namespace, name: objects.name })
      .from(objects)
      .where(and(eq(objects.apiGroup, group), eq(objects.resource, resource)));
  }

  /** Namespaces marked for deletion, across every cluster: what the namespace controller must finish. */
  async terminatingNamespaces(): Promise<{ clusterId: string; name: string }[]> {
    return this.db
      .select({ clusterId: objects.clusterId, name: objects.name })
      .from(objects)
      .where(
        and(
          eq(objects.resource, "namespaces"),
          eq(objects.apiGroup, ""),
          sql`${objects.body}->'metadata' ? 'deletionTimestamp'`,
        ),
      );
  }

  /**
   * Writes the first objects of a new cluster inside the transaction that creates it, in four statements
   * whatever their number: no one can be watching a cluster that does not exist yet, so nothing is notified.
   */
  async seed(tx: Tx, clusterId: string, seeds: { key: ObjectKey; obj: KubeObject }[]): Promise<void> {
    if (seeds.length === 0) return;
    const rvs = (await tx.execute(
      sql`select nextval('resource_version_seq')::bigint as rv from generate_series(1, ${seeds.length})`,
    )) as unknown as { rv: string | number }[];
    const stamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const rows = seeds.map(({ key, obj }, i) => {
      const rv = Number(rvs[i]?.rv);
      const body: KubeObject = {
        ...obj,
        metadata: {
          ...obj.metadata,
          uid: randomUUID(),
          resourceVersion: String(rv),
          creationTimestamp: stamp,
        },
      };
      return { key, rv, body };
    });
    await tx
      .update(clusters)
      .set({ resourceVersion: Math.max(...rows.map((r) => r.rv)) })
      .where(eq(clusters.id, clusterId));
    await tx.insert(objects).values(rows.map(({ key, rv, body }) => objectRow(key, rv, body)));
    await tx.insert(changes).values(
      rows.map(({ key, rv, body }) => ({
        resourceVersion: rv,
        clusterId,
        apiGroup: key.group,
        resource: key.resource,
        namespace: key.namespace,
        name: key.name,
        type: "ADDED" as const,
        body,
      })),
    );
  }

  /** Creates the object, stamping uid, creationTimestamp and resourceVersion. */
  async create(key: ObjectKey, obj: KubeObject, tx?: Tx): Promise<KubeObject> {
    const run = async (t: Tx) => {
      const rv = await bumpResourceVersion(t, key.clusterId);
      const body: KubeObject = {
        ...obj,
        metadata: {
          ...obj.metadata,
          uid: obj.metadata.uid ?? randomUUID(),
          resourceVersion: String(rv),
          creationTimestamp:
            obj.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        },
      };
      await hookOf(this.hooks, key)?.beforeWrite(t, key, body, undefined);
      const inserted = await t
        .insert(objects)
        .values(objectRow(key, rv, body))
        .onConflictDoNothing()
        .returning({ rv: objects.resourceVersion });
      if (inserted.length === 0) throw kubeErrors.alreadyExists(key.resource, key.group, key.name);
      await recordChange(t, key, rv, "ADDED", body);
      return body;
    };
    return tx ? run(tx) : this.db.transaction(run);
  }

  /**
   * Replaces the object. When `obj.metadata.resourceVersion` is set it must match the stored one (409
   * Conflict otherwise), as kube-apiserver's optimistic concurrency demands; uid and creationTimestamp stay.
   */
  async update(key: ObjectKey, obj: KubeObject): Promise<KubeObject> {
    const updated = await this.db.transaction(async (tx) => {
      const current = await lockCurrent(tx, key);
      if (!current) throw kubeErrors.notFound(key.resource, key.group, key.name);
      const expected = obj.metadata.resourceVersion;
      if (expected && expected !== current.metadata.resourceVersion) {
        throw kubeErrors.conflict(key.resource, key.group, key.name);
      }
      if (obj.metadata.uid && obj.metadata.uid !== current.metadata.uid) {
        throw uidConflict(key, obj.metadata.uid, current);
      }
      return writeUpdate(tx, key, current, obj, hookOf(this.hooks, key));
    });
    return this.removeIfFinalized(key, updated);
  }

  /**
   * An object marked for deletion goes once its last finalizer is removed, as in kube-apiserver. Pods and
   * namespaces are finished by their own machinery (the node agent, the namespace controller).
   */
  private async removeIfFinalized(key: ObjectKey, obj: KubeObject): Promise<KubeObject> {
    const own = key.group === "" && (key.resource === "pods" || key.resource === "namespaces");
    if (own || !obj.metadata.deletionTimestamp || obj.metadata.finalizers?.length) return obj;
    try {
      return await this.delete(key, { uid: obj.metadata.uid ?? "" });
    } catch (err) {
      if (err instanceof KubeError && (err.code === 404 || err.code === 409)) return obj;
      throw err;
    }
  }

  /** Everything of a cluster that names `ownerUid` among its ownerReferences, with its key. */
  async dependentsOf(clusterId: string, ownerUid: string): Promise<{ key: ObjectKey; object: KubeObject }[]> {
    const rows = await this.db
      .select()
      .from(objects)
      .where(
        and(
          eq(objects.clusterId, clusterId),
          sql`${objects.body}->'metadata'->'ownerReferences' @> ${JSON.stringify([{ uid: ownerUid }])}::jsonb`,
        ),
      );
    return rows.map((row) => ({
      key: {
        clusterId,
        group: row.apiGroup,
        resource: row.resource,
        namespace: row.namespace,
        name: row.name,
      },
      object: row.body as KubeObject,
    }));
  }

  /** The object of a cluster with this uid, whatever its kind. */
  async byUid(clusterId: string, uid: string): Promise<{ key: ObjectKey; object: KubeObject } | undefined> {
    if (!isUuid(uid)) return undefined;
    const [row] = await this.db
      .select()
      .from(objects)
      .where(and(eq(objects.clusterId, clusterId), eq(objects.uid, uid)));
    if (!row) return undefined;
    const { apiGroup: group, resource, namespace, name } = row;
    return { key: { clusterId, group, resource, namespace, name }, object: row.body as KubeObject };
  }

  /**
   * Reads, transforms and writes under a row lock: for controllers that own a part of the object (status).
   * `change` returns the new object, or `undefined` to leave it untouched. Returns the stored object.
   */
  async mutate(
    key: ObjectKey,
    change: (current: KubeObject) => KubeObject | undefined,
  ): Promise<KubeObject | undefined> {
    let wrote = false;
    const result = await this.db.transaction(async (tx) => {
      const current = await lockCurrent(tx, key);
      if (!current) return undefined;
      const next = change(structuredClone(current));
      if (!next) return current;
      wrote = true;
      return writeUpdate(tx, key, current, next, hookOf(this.hooks, key));
    });
    return wrote && result ? this.removeIfFinalized(key, result) : result;
  }

  /** Removes the object for good; `preconditions` as in DeleteOptions. Returns the object as deleted. */
  async delete(
    key: ObjectKey,
    preconditions: { uid?: string; resourceVersion?: string } = {},
  ): Promise<KubeObject> {
    const deleted = await this.db.transaction(async (tx) => {
      const current = await lockCurrent(tx, key);
      if (!current) throw kubeErrors.notFound(key.resource, key.group, key.name);
      checkPreconditions(key, current, preconditions);
      const rv = await bumpResourceVersion(tx, key.clusterId);
      await tx.delete(objects).where(keyMatch(key));
      await hookOf(this.hooks, key)?.afterDelete(tx, key, current);
      const body = { ...current, metadata: { ...current.metadata, resourceVersion: String(rv) } };
      await recordChange(tx, key, rv, "DELETED", body);
      return body;
    });
    return deleted;
  }

  /** Changes of one cluster after `resourceVersion`, oldest first. */
  async changesSince(clusterId: string, resourceVersion: number, limit = 1000): Promise<Change[]> {
    const rows = await this.db
      .select()
      .from(changes)
      .where(and(eq(changes.clusterId, clusterId), gt(changes.resourceVersion, resourceVersion)))
      .orderBy(asc(changes.resourceVersion))
      .limit(limit);
    return rows.map((r) => ({
      resourceVersion: r.resourceVersion,
      clusterId: r.clusterId,
      group: r.apiGroup,
      resource: r.resource,
      namespace: r.namespace,
      name: r.name,
      type: r.type,
      object: r.body as KubeObject,
      ...(r.previous ? { previous: r.previous as KubeObject } : {}),
      ...(r.trace ? { trace: r.trace } : {}),
    }));
  }

  /** Changes at or below this resourceVersion were compacted away: a watch from there gets 410 Gone. */
  async compactedResourceVersion(): Promise<number> {
    const [row] = await this.db.select().from(feedState).where(eq(feedState.id, 1));
    return row?.compactedResourceVersion ?? 0;
  }

  /**
   * Deletes, through the write path (watchers see DELETED, the cluster's storage is freed), Events of every
   * cluster not seen for `ttlSeconds`: kube-apiserver's --event-ttl (an hour there). At most `limit` a call.
   */
  async expireEvents(ttlSeconds: number, limit = 500): Promise<number> {
    const cutoff = new Date(Date.now() - ttlSeconds * 1000).toISOString();
    const seen = sql`coalesce(${objects.body}->>'lastTimestamp', ${objects.body}->>'eventTime', ${objects.body}->'metadata'->>'creationTimestamp')`;
    const rows = await this.db
      .select({
        clusterId: objects.clusterId,
        group: objects.apiGroup,
        resource: objects.resource,
        namespace: objects.namespace,
        name: objects.name,
      })
      .from(objects)
      .where(and(eq(objects.apiGroup, ""), eq(objects.resource, "events"), sql`${seen} < ${cutoff}`))
      .limit(limit);
    let expired = 0;
    for (const key of rows) {
      await this.delete(key).then(
        () => expired++,
        () => undefined,
      );
    }
    return expired;
  }

  /** Drops changes older than `maxAgeSeconds`, remembering how far it went. */
  async compactChanges(maxAgeSeconds: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const deleted = await tx
        .delete(changes)
        .where(sql`${changes.committedAt} < now() - make_interval(secs => ${maxAgeSeconds})`)
        .returning({ rv: changes.resourceVersion });
      const horizon = deleted.reduce((max, r) => Math.max(max, r.rv), 0);
      if (horizon > 0) {
        await tx
          .insert(feedState)
          .values({ id: 1, compactedResourceVersion: horizon })
          .onConflictDoUpdate({
            target: feedState.id,
            set: {
              compactedResourceVersion: sql`greatest(${feedState.compactedResourceVersion}, ${horizon})`,
            },
          });
      }
      return deleted.length;
    });
  }

  async runInTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }
}

/** The `objects` row of an object; the body carries its uid and resourceVersion. */
function objectRow(key: ObjectKey, rv: number, body: KubeObject) {
  return {
    clusterId: key.clusterId,
    apiGroup: key.group,
    resource: key.resource,
    namespace: key.namespace,
    name: key.name,
    uid: body.metadata.uid as string,
    resourceVersion: rv,
    nodeName: nodeNameOf(key, body),
    body,
  };
}

/** DeleteOptions' preconditions against the object as it is: kube-apiserver's 409 when one differs. */
export function checkPreconditions(
  key: ObjectKey,
  current: KubeObject,
  preconditions: { uid?: string; resourceVersion?: string } = {},
): void {
  if (preconditions.uid && preconditions.uid !== current.metadata.uid)
    throw uidConflict(key, preconditions.uid, current);
  if (preconditions.resourceVersion && preconditions.resourceVersion !== current.metadata.resourceVersion)
    throw kubeErrors.conflict(
      key.resource,
      key.group,
      key.name,
      `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
}

function uidConflict(key: ObjectKey, given: string | undefined, current: KubeObject) {
  return kubeErrors.conflict(
    key.resource,
    key.group,
    key.name,
    `Precondition failed: UID in precondition: ${given}, UID in object meta: ${current.metadata.uid}`,
  );
}

function keyMatch(key: ObjectKey) {
  return and(
    eq(objects.clusterId, key.clusterId),
    eq(objects.apiGroup, key.group),
    eq(objects.resource, key.resource),
    eq(objects.namespace, key.namespace),
    eq(objects.name, key.name),
  );
}

/** The cluster's objects of one kind (in one namespace when given), as write hooks read them in their transaction. */
export async function objectsOf(
  tx: Tx | Database,
  kind: { clusterId: string; group: string; resource: string; namespace?: string },
): Promise<KubeObject[]> {
  const rows = await tx
    .select({ body: objects.body })
    .from(objects)
    .where(
      and(
        eq(objects.clusterId, kind.clusterId),
        eq(objects.apiGroup, kind.group),
        eq(objects.resource, kind.resource),
        kind.namespace === undefined ? undefined : eq(objects.namespace, kind.namespace),
      ),
    );
  return rows.map((r) => r.body as KubeObject);
}

/** One object, read in the caller's transaction. */
export async function objectIn(tx: Tx, key: ObjectKey): Promise<KubeObject | undefined> {
  const rows = await tx.select({ body: objects.body }).from(objects).where(keyMatch(key)).limit(1);
  return rows[0]?.body as KubeObject | undefined;
}

async function lockCurrent(tx: Tx, key: ObjectKey): Promise<KubeObject | undefined> {
  const rows = await tx.select({ body: objects.body }).from(objects).where(keyMatch(key)).for("update");
  return rows[0]?.body as KubeObject | undefined;
}

async function writeUpdate(
  tx: Tx,
  key: ObjectKey,
  current: KubeObject,
  next: KubeObject,
  hook: WriteHook | undefined,
): Promise<KubeObject> {
  const rv = await bumpResourceVersion(tx, key.clusterId);
  const body: KubeObject = {
    ...next,
    metadata: {
      ...next.metadata,
      name: current.metadata.name,
      namespace: current.metadata.namespace,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      resourceVersion: String(rv),
    },
  };
  if (body.metadata.namespace === undefined) delete body.metadata.namespace;
  await hook?.beforeWrite(tx, key, body, current);
  await tx
    .update(objects)
    .set({ body, resourceVersion: rv, nodeName: nodeNameOf(key, body) })
    .where(keyMatch(key));
  await recordChange(tx, key, rv, "MODIFIED", body, current);
  return body;
}

/**
 * Takes the cluster's row lock until commit, so commits within a cluster are ordered by resourceVersion.
 * A cluster being reset takes no write (503 with a Retry-After, which client-go waits out): its reset
 * removes what it holds under this same lock, so whatever committed before it goes with the rest.
 */
async function bumpResourceVersion(tx: Tx, clusterId: string): Promise<number> {
  const [row] = await tx
    .update(clusters)
    .set({ resourceVersion: sql`nextval('resource_version_seq')` })
    .where(eq(clusters.id, clusterId))
    .returning({ rv: clusters.resourceVersion, phase: clusters.phase });
  if (!row) throw kubeErrors.notFound("clusters", "", clusterId);
  if (row.phase === "Resetting")
    throw new KubeError(
      statusFailure(503, "ServiceUnavailable", "the cluster is being reset: try again in a moment", {
        retryAfterSeconds: 1,
      }),
    );
  return row.rv;
}

async function recordChange(
  tx: Tx,
  key: ObjectKey,
  rv: number,
  type: ChangeType,
  body: KubeObject,
  previous?: KubeObject,
): Promise<void> {
  await tx.insert(changes).values({
    ...(previous ? { previous } : {}),
    resourceVersion: rv,
    clusterId: key.clusterId,
    apiGroup: key.group,
    resource: key.resource,
    namespace: key.namespace,
    name: key.name,
    type,
    body,
    trace: traceCarrier(),
  });
  await tx.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${key.clusterId})`);
}
