import type { KubeObject } from "../../../core/k8s/types";
import type { ObjectKey } from "../../../core/objects";
import type { Change } from "../../../db/store";
import { type Hook, manifestObjects } from "../../../helm/release";
import type { ApiDeps } from "../../env";
import { ApiError } from "../errors";
import { applyObjects, deleteObject } from "./apply";

const HOOK_TIMEOUT_MS = 5 * 60_000;

/** Whether a hook's Job or Pod is done: true when it succeeded, false when it failed or went, undefined meanwhile. */
export function hookOutcome(obj: KubeObject | undefined): boolean | undefined {
  if (!obj) return false;
  if (obj.kind === "Job") {
    const conditions = (
      (obj.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []
    ).filter((c) => c.status === "True");
    if (conditions.some((c) => c.type === "Complete")) return true;
    if (conditions.some((c) => c.type === "Failed")) return false;
    return undefined;
  }
  if (obj.kind === "Pod") {
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    return phase === "Succeeded" ? true : phase === "Failed" ? false : undefined;
  }
  return true;
}

const sameObject = (change: Change, key: ObjectKey) =>
  change.group === key.group &&
  change.resource === key.resource &&
  change.namespace === key.namespace &&
  change.name === key.name;

/**
 * The outcome of a hook's Job or Pod, read from the cluster's change feed from the resourceVersion it was
 * created at: every later write of it comes in order, so none is missed; a deletion is a failure, and so is
 * no outcome within `timeoutMs`.
 */
function awaitOutcome(
  deps: ApiDeps,
  key: ObjectKey,
  created: KubeObject,
  timeoutMs: number,
): Promise<boolean> {
  const first = hookOutcome(created);
  if (first !== undefined) return Promise.resolve(first);
  return new Promise((resolve) => {
    const finish = (done: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(done);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const unsubscribe = deps.watchHub.subscribe(
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
}

/**
 * Runs the hooks of one event as Helm does: by weight, then name; each created anew (before-hook-creation),
 * Jobs and Pods waited for on the change feed until they finish (5 minutes at most, Helm's default
 * timeout); a failure stops the operation with the hook's name. Slow by nature: callers run it off the
 * request.
 */
export async function runHooks(
  deps: ApiDeps,
  clusterId: string,
  release: { name: string; namespace: string },
  hooks: Hook[],
  event: string,
): Promise<void> {
  for (const hook of hooksFor(hooks, event)) {
    const [obj] = manifestObjects(hook.manifest) as KubeObject[];
    if (!obj) continue;
    if (hook.delete_policies.includes("before-hook-creation"))
      await deleteObject(deps, clusterId, release.namespace, obj);
    const created: KubeObject[] = [];
    await applyObjects(deps, clusterId, release, [obj], [], { action: "install", created });
    const waited = obj.kind === "Job" || obj.kind === "Pod";
    const key = {
      clusterId,
      group: obj.kind === "Job" ? "batch" : "",
      resource: obj.kind === "Job" ? "jobs" : "pods",
      namespace: obj.metadata.namespace ?? release.namespace,
      name: obj.metadata.name ?? "",
    };
    const stored = created[0] ?? (await deps.store.get(key));
    const done = waited && stored ? await awaitOutcome(deps, key, stored, HOOK_TIMEOUT_MS) : !waited;
    if (done && hook.delete_policies.includes("hook-succeeded"))
      await deleteObject(deps, clusterId, release.namespace, obj);
    if (!done) {
      if (hook.delete_policies.includes("hook-failed"))
        await deleteObject(deps, clusterId, release.namespace, obj);
      throw new ApiError(
        422,
        "hook_failed",
        `${event} hook failed: ${hook.kind} ${hook.name} did not succeed`,
      );
    }
  }
}

/** The hooks of one event, in Helm's order: by weight, then name. */
export function hooksFor(hooks: Hook[], event: string): Hook[] {
  return hooks
    .filter((h) => h.events.includes(event))
    .sort((a, b) => a.weight - b.weight || a.name.localeCompare(b.name));
}
