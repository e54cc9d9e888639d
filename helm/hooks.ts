import type { Hook } from "./release";

/** The little of a Kubernetes object a hook's outcome is read from. */
export interface HookObject {
  kind: string;
  status?: unknown;
}

/** Whether a hook's Job or Pod is done: true when it succeeded, false when it failed or went, undefined meanwhile. */
export function hookOutcome(obj: HookObject | undefined): boolean | undefined {
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

/** The hooks of one event, in Helm's order: by weight, then name. */
export function hooksFor(hooks: Hook[], event: string): Hook[] {
  return hooks
    .filter((h) => h.events.includes(event))
    .sort((a, b) => a.weight - b.weight || a.name.localeCompare(b.name));
}

/** Whether any hook runs around `event` (`install`: pre-install or post-install). */
export function hasHooksAround(hooks: Hook[], event: string): boolean {
  return [`pre-${event}`, `post-${event}`].some((e) => hooksFor(hooks, e).length > 0);
}
