import { KubeError } from "../../core/k8s/errors";
import type { KubeObject, Pod } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/objects";
import { isNamespaceTerminating } from "../../db/object-writer/prepare";
import type { ObjectStore } from "../../db/store";
import type { EventRecorder } from "../events";
import { deletePodGracefully } from "../pod-deletion";
import { controllerWrites } from "./writes";

/** How a controller words its pod events (a StatefulSet says it differently from a ReplicaSet). */
export interface PodEventWording {
  created(name: string): string;
  deleted(name: string): string;
}

export const PLAIN_WORDING: PodEventWording = {
  created: (name) => `Created pod: ${name}`,
  deleted: (name) => `Deleted pod: ${name}`,
};

/** How soon a controller whose pods were refused (a quota, a limit range) tries again. */
export const REFUSED_RETRY_MS = 5_000;

/**
 * A refused pod creation, told as the controllers of kube-controller-manager tell it: a FailedCreate Warning
 * on the owner. Returns the refusal, or rethrows what is not a refusal.
 */
export async function refusedCreate(
  events: EventRecorder,
  clusterId: string,
  owner: KubeObject,
  err: unknown,
): Promise<string> {
  if (!(err instanceof KubeError && [400, 403, 422].includes(err.code))) throw err;
  const message = `Error creating: ${err.message}`;
  await events.record(clusterId, owner, "Warning", "FailedCreate", message);
  return message;
}

/**
 * The pod side of a controller's plan: creates the new pods through the write path (a name already taken
 * is a retry that got there first; a namespace being deleted takes no more, as in kube-controller-manager,
 * without an event) and deletes the unwanted ones gracefully, each with its event on the owner. A refused
 * creation stops the creating and is returned, for the owner's status and a later retry.
 */
export async function applyPodChanges(
  o: { store: ObjectStore; events: EventRecorder; wording?: PodEventWording },
  ref: ObjectRef,
  owner: KubeObject,
  change: { create: Pod[]; remove: string[]; pods: Pod[]; now: Date },
): Promise<{ refused?: string }> {
  let refused: string | undefined;
  const wording = o.wording ?? PLAIN_WORDING;
  const podKey = (name: string) => ({
    clusterId: ref.clusterId,
    group: "",
    resource: "pods",
    namespace: ref.namespace,
    name,
  });
  const writes = controllerWrites(o.store, () => change.now);
  for (const pod of change.create) {
    const name = pod.metadata.name ?? "";
    try {
      await writes.create(podKey(name), pod);
      await o.events.record(ref.clusterId, owner, "Normal", "SuccessfulCreate", wording.created(name));
    } catch (err) {
      if (err instanceof KubeError && err.code === 409) continue;
      if (isNamespaceTerminating(err)) break;
      refused = await refusedCreate(o.events, ref.clusterId, owner, err);
      break;
    }
  }
  for (const name of change.remove) {
    const pod = change.pods.find((p) => p.metadata.name === name);
    if (!pod) continue;
    await deletePodGracefully(o.store, podKey(name), pod, change.now);
    await o.events.record(ref.clusterId, owner, "Normal", "SuccessfulDelete", wording.deleted(name));
  }
  return refused ? { refused } : {};
}
