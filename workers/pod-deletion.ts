import { rfc3339 } from "../core/k8s/time";
import type { KubeObject, Pod } from "../core/k8s/types";
import type { ObjectKey } from "../core/objects";
import type { ObjectStore } from "../db/store";

/**
 * Deletes a pod the way the apiserver does for controllers: a pod on a node is marked for graceful
 * deletion (its node agent stops it and removes the object), any other pod goes at once.
 */
export async function deletePodGracefully(store: ObjectStore, key: ObjectKey, pod: KubeObject, now: Date) {
  if (!(pod as Pod).spec.nodeName) {
    await store.delete(key, { uid: pod.metadata.uid ?? "" }).catch(() => undefined);
    return;
  }
  if (pod.metadata.deletionTimestamp) return;
  const grace = (pod as Pod).spec.terminationGracePeriodSeconds ?? 30;
  await store.mutate(key, (p) => {
    if (p.metadata.uid !== pod.metadata.uid || p.metadata.deletionTimestamp) return undefined;
    p.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    p.metadata.deletionGracePeriodSeconds = grace;
    return p;
  });
}
