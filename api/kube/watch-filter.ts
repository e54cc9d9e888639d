import type { KubeObject } from "../../core/k8s/types";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

/**
 * What a watcher with a selector is told about a change, as kube-apiserver's watch cache decides it from
 * the object before and after: an object entering the selection is ADDED, one leaving it is DELETED (with
 * its new state), one that stays is MODIFIED; the others are none of its business. Pure.
 */
export function eventFor(
  type: EventType,
  object: KubeObject,
  previous: KubeObject | undefined,
  selected: (o: KubeObject) => boolean,
): EventType | undefined {
  const now = selected(object);
  if (type !== "MODIFIED" || !previous) return now ? type : undefined;
  const before = selected(previous);
  if (now && before) return "MODIFIED";
  if (now) return "ADDED";
  return before ? "DELETED" : undefined;
}
