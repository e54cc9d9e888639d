import type { KubeObject } from "../../../core/k8s/types";
import { type Hook, manifestObjects } from "../../../helm/release";
import type { ApiDeps } from "../../env";
import { ApiError } from "../errors";
import { applyObjects, deleteObject } from "./apply";

const HOOK_TIMEOUT_MS = 5 * 60_000;

/** Whether a hook's Job or Pod is done: true when it succeeded, false when it failed, undefined meanwhile. */
function outcome(obj: KubeObject | undefined): boolean | undefined {
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

/**
 * Runs the hooks of one event as Helm does: by weight, then name; each created anew (before-hook-creation),
 * Jobs and Pods waited for until they finish; a failure stops the operation with the hook's name.
 */
export async function runHooks(
  deps: ApiDeps,
  clusterId: string,
  release: { name: string; namespace: string },
  hooks: Hook[],
  event: string,
): Promise<void> {
  const due = hooks
    .filter((h) => h.events.includes(event))
    .sort((a, b) => a.weight - b.weight || a.name.localeCompare(b.name));
  for (const hook of due) {
    const [obj] = manifestObjects(hook.manifest) as KubeObject[];
    if (!obj) continue;
    if (hook.delete_policies.includes("before-hook-creation"))
      await deleteObject(deps, clusterId, release.namespace, obj);
    await applyObjects(deps, clusterId, release, [obj], [], { action: "install" });
    const key = {
      clusterId,
      group: obj.kind === "Job" ? "batch" : "",
      resource: obj.kind === "Job" ? "jobs" : "pods",
      namespace: obj.metadata.namespace ?? release.namespace,
      name: obj.metadata.name ?? "",
    };
    let done: boolean | undefined = true;
    if (obj.kind === "Job" || obj.kind === "Pod") {
      const deadline = Date.now() + HOOK_TIMEOUT_MS;
      do {
        await new Promise((r) => setTimeout(r, 500));
        done = outcome(await deps.store.get(key));
      } while (done === undefined && Date.now() < deadline);
    }
    if (done === true && hook.delete_policies.includes("hook-succeeded"))
      await deleteObject(deps, clusterId, release.namespace, obj);
    if (done !== true) {
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
