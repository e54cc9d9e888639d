import type { Config } from "../core/config";
import type { ObjectRef } from "../core/objects";
import type { Triggers } from "../core/queues";
import type { ClusterRepository } from "../db/clusters";
import type { MetricsRepository } from "../db/metrics";
import type { NodeRepository } from "../db/nodes";
import type { Change, ObjectStore } from "../db/store";
import type { EventRecorder } from "./events";
import type { Reconcile } from "./shell";

/** Where a change sends a reconcile: an object of the controller's queue, on one node's queue if `node`. */
export interface Target {
  ref: ObjectRef;
  node?: string;
}

/**
 * One kind of object a controller reacts to, as controller-runtime's `For`/`Owns`/`Watches`: `when` picks
 * the changes that matter (all by default), `map` names what to reconcile (the changed object by default).
 * `group`/`resource` `*` matches every kind.
 */
export interface Watch {
  group: string;
  resource: string;
  when?: (change: Change) => boolean;
  map?: (change: Change) => Target[];
}

/** What a controller is given to build its reconcile function. */
export interface ControllerDeps {
  config: Config;
  store: ObjectStore;
  nodes: NodeRepository;
  clusters: ClusterRepository;
  metrics: MetricsRepository;
  triggers: Triggers;
  events(component: string): EventRecorder;
}

/**
 * A controller, self-described: its queue, the changes that wake it, how it resyncs, and its reconcile.
 * Registered once in workers/controllers/index.ts; the dispatcher and the worker shell read the rest.
 */
export interface Controller<D = ControllerDeps> {
  /** The queue's name, and the controller's in traces and metrics. */
  queue: string;
  watches: Watch[];
  /**
   * What a resync re-triggers, every period or every SLOW_RESYNC_PERIODS periods: a safety net for lost
   * triggers, and the clock for controllers that act on time passing.
   */
  resync?: { every: "period" | "slow"; keys(deps: ControllerDeps): Promise<ObjectRef[]> };
  /** A Postgres channel whose notifications (a cluster id each) wake it, for state kept outside objects. */
  notified?: { channel: string; ref(payload: string): ObjectRef };
  /** One queue per node (`<queue>-<node>`), served by that node's agent alone. */
  perNode?: boolean;
  concurrency?: number;
  start(deps: D): Reconcile;
}

/** The reconcile target of a change: the changed object itself. */
export function itself(change: Change): Target[] {
  return [{ ref: { clusterId: change.clusterId, namespace: change.namespace, name: change.name } }];
}

/** The change's namespace as a whole (controllers that recount a namespace: name ""). */
export function itsNamespace(change: Change): Target[] {
  return [{ ref: { clusterId: change.clusterId, namespace: change.namespace, name: "" } }];
}

/** A cluster as a whole (controllers that act on a cluster: namespace and name ""). */
export function clusterRef(clusterId: string): ObjectRef {
  return { clusterId, namespace: "", name: "" };
}

/** The change's cluster as a whole (controllers that re-plan a cluster). */
export function itsCluster(change: Change): Target[] {
  return [{ ref: clusterRef(change.clusterId) }];
}

/** Every object of any kind whose controlling owner is a `kind`: wakes that owner, as `Owns` does. */
export function ownedBy(kind: string): Watch {
  return {
    group: "*",
    resource: "*",
    map: (c) => {
      const owner = c.object.metadata.ownerReferences?.find((o) => o.controller);
      if (owner?.kind !== kind) return [];
      return [{ ref: { clusterId: c.clusterId, namespace: c.namespace, name: owner.name } }];
    },
  };
}

/** The controller's own kind, every write but its deletion: `For`. */
export function forKind(group: string, resource: string): Watch {
  return { group, resource, when: (c) => c.type !== "DELETED" };
}

/** A resync of every object of a kind. */
export function everyObject(
  group: string,
  resource: string,
  every: "period" | "slow" = "period",
): Controller["resync"] {
  return { every, keys: ({ store }) => store.keysOf(group, resource) };
}

/**
 * The controller of one kind (`For`), resynced every period because it also acts on time passing
 * (rollouts, schedules, deadlines, scaling windows). `kind` is given when it makes objects it controls
 * (pods, Jobs, ReplicaSets): their writes wake it too (`Owns`).
 */
export function kindController(o: {
  queue: string;
  group: string;
  resource: string;
  kind?: string;
  start: Controller["start"];
}): Controller {
  return {
    queue: o.queue,
    watches: [forKind(o.group, o.resource), ...(o.kind ? [ownedBy(o.kind)] : [])],
    resync: everyObject(o.group, o.resource),
    start: o.start,
  };
}

/** The queue a controller's reconciles go to: its own, or a per-node controller's on `node`. */
export function queueOf(controller: Controller<never>, node?: string): string {
  return controller.perNode && node ? `${controller.queue}@${node}` : controller.queue;
}

/** Enqueues the target's reconcile on the controller's queue, as the dispatcher does for a change. */
export function enqueue(
  triggers: Pick<Triggers, "trigger">,
  controller: Controller<never>,
  target: Target,
): Promise<void> {
  return triggers.trigger(queueOf(controller, target.node), target.ref);
}
