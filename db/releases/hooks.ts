import type { KubeObject } from "../../core/k8s/types";
import type { ObjectKey } from "../../core/objects";
import { hookOutcome, hooksFor } from "../../helm/hooks";
import { type Hook, manifestObjects } from "../../helm/release";
import type { ObjectStore } from "../store";
import { applyObjects, deleteObject, type ReleaseWriter } from "./apply";
import { ReleaseError } from "./errors";

const HOOK_TIMEOUT_MS = 5 * 60_000;

/**
 * Waits for a hook's Job or Pod, created as `created`, to finish: true when it succeeded, false when it
 * failed, went, or gave no outcome within `timeoutMs`.
 */
export type HookWaiter = (key: ObjectKey, created: KubeObject, timeoutMs: number) => Promise<boolean>;

/**
 * A HookWaiter that reads the object every `intervalMs`: for processes without a watch of their own (the
 * workers). A Job's conditions and a Pod's final phase stay once reached, so reading now and then misses
 * none of them.
 */
export function pollingHookWaiter(store: Pick<ObjectStore, "get">, intervalMs = 1_000): HookWaiter {
  return async (key, created, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    let current: KubeObject | undefined = created;
    for (;;) {
      if (current?.metadata.uid !== created.metadata.uid) return false;
      const done = hookOutcome(current);
      if (done !== undefined) return done;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
      current = await store.get(key);
    }
  };
}

/**
 * Runs the hooks of one event as Helm does: by weight, then name; each created anew (before-hook-creation),
 * Jobs and Pods waited for until they finish (5 minutes at most, Helm's default timeout); a failure stops
 * the operation with the hook's name. Slow by nature: callers run it off the request.
 */
export async function runHooks(
  d: ReleaseWriter & { awaitHook: HookWaiter },
  clusterId: string,
  release: { name: string; namespace: string },
  hooks: Hook[],
  event: string,
): Promise<void> {
  for (const hook of hooksFor(hooks, event)) {
    const [obj] = manifestObjects(hook.manifest) as KubeObject[];
    if (!obj) continue;
    if (hook.delete_policies.includes("before-hook-creation"))
      await deleteObject(d, clusterId, release.namespace, obj);
    const created: KubeObject[] = [];
    await applyObjects(d, clusterId, release, [obj], [], { action: "install", created });
    const waited = obj.kind === "Job" || obj.kind === "Pod";
    const key = {
      clusterId,
      group: obj.kind === "Job" ? "batch" : "",
      resource: obj.kind === "Job" ? "jobs" : "pods",
      namespace: obj.metadata.namespace ?? release.namespace,
      name: obj.metadata.name ?? "",
    };
    const stored = created[0] ?? (await d.store.get(key));
    const done = waited && stored ? await d.awaitHook(key, stored, HOOK_TIMEOUT_MS) : !waited;
    if (done && hook.delete_policies.includes("hook-succeeded"))
      await deleteObject(d, clusterId, release.namespace, obj);
    if (!done) {
      if (hook.delete_policies.includes("hook-failed"))
        await deleteObject(d, clusterId, release.namespace, obj);
      throw new ReleaseError(
        422,
        "hook_failed",
        `${event} hook failed: ${hook.kind} ${hook.name} did not succeed`,
      );
    }
  }
}
