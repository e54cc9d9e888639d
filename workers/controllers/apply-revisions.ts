import { KubeError } from "../../core/k8s/errors";
import type { ObjectRef } from "../../core/objects";
import { isNamespaceTerminating } from "../../db/object-writer/prepare";
import type { ObjectStore } from "../../db/store";
import type { RevisionPlan } from "./revisions";
import { controllerWrites } from "./writes";

const revisionKey = (ref: ObjectRef, name: string) => ({
  clusterId: ref.clusterId,
  group: "apps",
  resource: "controllerrevisions",
  namespace: ref.namespace,
  name,
});

/** Writes a revision plan: the new ControllerRevision, a rollback's renumbering, the pruned history. */
export async function applyRevisions(store: ObjectStore, ref: ObjectRef, plan: RevisionPlan): Promise<void> {
  const writes = controllerWrites(store);
  if (plan.create) {
    await writes.create(revisionKey(ref, plan.create.metadata.name ?? ""), plan.create).catch((err) => {
      if (!(err instanceof KubeError && err.code === 409) && !isNamespaceTerminating(err)) throw err;
    });
  }
  if (plan.renumber) {
    const { name, revision } = plan.renumber;
    await writes.mutate(revisionKey(ref, name), (rev) => {
      if (rev.revision === revision) return undefined;
      rev.revision = revision;
      return rev;
    });
  }
  for (const name of plan.remove) {
    await store.delete(revisionKey(ref, name)).catch((err) => {
      if (!(err instanceof KubeError && err.code === 404)) throw err;
    });
  }
}
