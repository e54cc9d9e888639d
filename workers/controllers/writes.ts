import type { KubeObject } from "../../core/k8s/types";
import type { ObjectKey } from "../../core/objects";
import { ObjectWriter, storedType } from "../../db/object-writer/writer";
import type { ObjectStore } from "../../db/store";

/** How the controllers sign what they write in managedFields, as kube-controller-manager's controllers do. */
export const CONTROLLER_MANAGER = "kube-controller-manager";

/**
 * The object write path as a controller uses it: what it creates or changes goes through the kind's
 * strategy like any client's write (defaults, validation, a fresh uid), with managedFields for
 * kube-controller-manager, and no new content in a terminating namespace (a 403 `isNamespaceTerminating`
 * recognises). Status and deletion bookkeeping stay with the store.
 */
export interface ControllerWrites {
  create(key: ObjectKey, obj: KubeObject): Promise<KubeObject>;
  /** Read-modify-write, tried again on a conflict; `undefined` when the object is gone. */
  mutate(
    key: ObjectKey,
    change: (current: KubeObject) => KubeObject | undefined,
  ): Promise<KubeObject | undefined>;
}

export function controllerWrites(store: ObjectStore, now: () => Date = () => new Date()): ControllerWrites {
  const writer = new ObjectWriter({ store, now });
  const options = { manager: CONTROLLER_MANAGER };
  return {
    create: (key, obj) => writer.create(storedType(key), key, obj, options),
    mutate: (key, change) => writer.mutate(storedType(key), key, change, options),
  };
}
