import type { ObjectKey } from "../../../core/objects";
import type { HookWaiter } from "../../../db/releases/hooks";
import type { Change } from "../../../db/store";
import { hookOutcome } from "../../../helm/hooks";
import type { WatchHub } from "../../kube/watch-hub";

const sameObject = (change: Change, key: ObjectKey) =>
  change.group === key.group &&
  change.resource === key.resource &&
  change.namespace === key.namespace &&
  change.name === key.name;

/**
 * Waits for a hook's Job or Pod on the cluster's change feed, from the resourceVersion it was created at:
 * every later write of it comes in order, so none is missed; a deletion is a failure, and so is no outcome
 * within the timeout.
 */
export function watchHubHookWaiter(watchHub: WatchHub): HookWaiter {
  return (key, created, timeoutMs) => {
    const first = hookOutcome(created);
    if (first !== undefined) return Promise.resolve(first);
    return new Promise((resolve) => {
      const finish = (done: boolean) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(done);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const unsubscribe = watchHub.subscribe(
        key.clusterId,
        Number(created.metadata.resourceVersion),
        (changes) => {
          for (const change of changes.filter((c) => sameObject(c, key))) {
            const done = change.type === "DELETED" ? false : hookOutcome(change.object);
            if (done !== undefined) return finish(done);
          }
        },
      );
    });
  };
}
