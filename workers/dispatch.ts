import type { ObjectRef } from "../core/objects";
import type { Change } from "../db/store";
import { type Controller, itself, queueOf } from "./controller";

/** A reconcile to enqueue. */
export interface Trigger {
  queue: string;
  ref: ObjectRef;
}

/** Triggers with the same key are one reconcile. */
export function triggerKey(t: Trigger): string {
  return `${t.queue}/${t.ref.clusterId}/${t.ref.namespace}/${t.ref.name}`;
}

function watched(watch: { group: string; resource: string }, change: Change): boolean {
  return (
    (watch.group === "*" || watch.group === change.group) &&
    (watch.resource === "*" || watch.resource === change.resource)
  );
}

/** Which reconciles a committed change wakes, read from the controllers' declarations; each once. Pure. */
export function triggersFor(controllers: readonly Controller<never>[], change: Change): Trigger[] {
  const out = new Map<string, Trigger>();
  for (const controller of controllers) {
    for (const watch of controller.watches) {
      if (!watched(watch, change) || (watch.when && !watch.when(change))) continue;
      for (const target of (watch.map ?? itself)(change)) {
        if (controller.perNode && !target.node) continue;
        const trigger = { queue: queueOf(controller, target.node), ref: target.ref };
        out.set(triggerKey(trigger), trigger);
      }
    }
  }
  return [...out.values()];
}
