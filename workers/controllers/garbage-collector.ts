import { KubeError } from "../../core/k8s/errors";
import { rfc3339 } from "../../core/k8s/time";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import type { ObjectStore } from "../../db/store";
import type { Controller, Target } from "../controller";
import { deletePodGracefully } from "../pod-deletion";
import type { Result } from "../shell";
import { type CollectAction, FOREGROUND, planCollection } from "./garbage-collector-plan";

/**
 * Cascading deletion. The ref's name is an owner's uid: it is woken when the owner is deleted or marked for
 * deletion, and when one of its dependents goes (a foreground deletion waits for the last one).
 */
export class GarbageCollector {
  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const ownerUid = ref.name;
    const [owner, dependents] = await Promise.all([
      this.store.byUid(ref.clusterId, ownerUid),
      this.store.dependentsOf(ref.clusterId, ownerUid),
    ]);
    const actions = planCollection(owner?.object, ownerUid, dependents);
    for (const action of actions) await this.apply(action, ownerUid, owner?.key);
    // a foreground deletion still waiting on dependents is re-checked even if a wake-up is lost
    return actions.some((a) => a.kind === "deleteForeground") ? { requeueAfterMs: 2000 } : {};
  }

  private async apply(action: CollectAction<ObjectKey>, ownerUid: string, ownerKey: ObjectKey | undefined) {
    if (action.kind === "finalize") {
      if (!ownerKey) return;
      await this.store.mutate(ownerKey, (o) => {
        o.metadata.finalizers = o.metadata.finalizers?.filter((f) => f !== action.finalizer);
        if (!o.metadata.finalizers?.length) delete o.metadata.finalizers;
        return o;
      });
      return;
    }
    const { key, object } = action.dependent;
    const uid = object.metadata.uid ?? "";
    if (action.kind === "dropOwner") {
      await this.store.mutate(key, (o) => {
        if (o.metadata.uid !== uid) return undefined;
        o.metadata.ownerReferences = o.metadata.ownerReferences?.filter((r) => r.uid !== ownerUid);
        if (!o.metadata.ownerReferences?.length) delete o.metadata.ownerReferences;
        return o;
      });
    } else if (key.group === "" && key.resource === "pods") {
      await deletePodGracefully(this.store, key, object, this.now());
    } else if (action.kind === "deleteForeground" || object.metadata.finalizers?.length) {
      // marked, not removed: its finalizers (and ours, in the foreground) let it go when they are done
      const foreground = action.kind === "deleteForeground";
      await this.store.mutate(key, (o) => {
        if (o.metadata.uid !== uid || o.metadata.deletionTimestamp) return undefined;
        o.metadata.deletionTimestamp = rfc3339(this.now());
        o.metadata.deletionGracePeriodSeconds = 0;
        if (foreground) o.metadata.finalizers = [...(o.metadata.finalizers ?? []), FOREGROUND];
        return o;
      });
    } else {
      await this.store.delete(key, { uid }).catch((err) => {
        if (!(err instanceof KubeError && (err.code === 404 || err.code === 409))) throw err;
      });
    }
  }
}

/** Finalizers the garbage collector works off. */
const GC_FINALIZERS = new Set(["foregroundDeletion", "orphan"]);

/**
 * Collects dependents (ref name: an owner's uid): an owner gone or going takes its dependents along; a
 * dependent gone may end a foreground owner's wait.
 */
export const garbageCollectorController: Controller = {
  queue: "garbage-collector",
  watches: [
    {
      group: "*",
      resource: "*",
      map: (c) => {
        const collect = (uid: string): Target => ({
          ref: { clusterId: c.clusterId, namespace: c.namespace, name: uid },
        });
        const { uid, deletionTimestamp, finalizers, ownerReferences } = c.object.metadata;
        const going =
          c.type === "DELETED" || (deletionTimestamp && finalizers?.some((f) => GC_FINALIZERS.has(f)));
        return [
          ...(uid && going ? [collect(uid)] : []),
          ...(c.type === "DELETED" ? (ownerReferences ?? []).map((o) => collect(o.uid)) : []),
        ];
      },
    },
  ],
  start: ({ store }) => {
    const collector = new GarbageCollector(store);
    return (ref) => collector.reconcile(ref);
  },
};
