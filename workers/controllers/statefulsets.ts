import { KubeError } from "../../core/k8s/errors";
import { isControlledBy } from "../../core/k8s/owners";
import type { Pod } from "../../core/k8s/types";
import type { ControllerRevision, StatefulSet } from "../../core/k8s/workloads/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import { isNamespaceTerminating } from "../../db/object-writer/prepare";
import type { ObjectStore } from "../../db/store";
import { kindController } from "../controller";
import type { EventRecorder } from "../events";
import type { Result } from "../shell";
import { applyRevisions } from "./apply-revisions";
import { applyPodChanges, REFUSED_RETRY_MS } from "./owned-pods";
import { claimsFor, ordinalOf, planStatefulSet } from "./statefulset-plan";
import { writeStatus } from "./write-status";
import { controllerWrites } from "./writes";

const key = (ref: ObjectRef, group: string, resource: string, name = ref.name): ObjectKey => ({
  clusterId: ref.clusterId,
  group,
  resource,
  namespace: ref.namespace,
  name,
});

/** Keeps a StatefulSet's ordinal pods and revision history converged (see statefulset-plan.ts). */
export class StatefulSetController {
  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const sts = (await this.store.get(key(ref, "apps", "statefulsets"))) as StatefulSet | undefined;
    if (!sts || sts.metadata.deletionTimestamp) return {};
    const scope = { clusterId: ref.clusterId, namespace: ref.namespace };
    const [{ items: pods }, { items: revisions }] = await Promise.all([
      this.store.list({ ...scope, group: "", resource: "pods" }),
      this.store.list({ ...scope, group: "apps", resource: "controllerrevisions" }),
    ]);
    const now = this.now();
    const plan = planStatefulSet(
      sts,
      pods.filter((p) => isControlledBy(p, sts)) as Pod[],
      revisions.filter((r) => isControlledBy(r, sts)) as ControllerRevision[],
      now,
    );
    await applyRevisions(this.store, ref, plan.revisions);
    const setName = sts.metadata.name;
    const wording = {
      created: (name: string) => `create Pod ${name} in StatefulSet ${setName} successful`,
      deleted: (name: string) => `delete Pod ${name} in StatefulSet ${setName} successful`,
    };
    for (const pod of plan.create) await this.ensureClaims(ref, sts, pod);
    const { refused } = await applyPodChanges({ store: this.store, events: this.events, wording }, ref, sts, {
      create: plan.create,
      remove: plan.remove,
      pods: pods as Pod[],
      now,
    });
    await writeStatus(this.store, key(ref, "apps", "statefulsets"), sts.metadata.uid ?? "", plan.status);
    const requeue = refused
      ? Math.min(plan.requeueAfterMs ?? REFUSED_RETRY_MS, REFUSED_RETRY_MS)
      : plan.requeueAfterMs;
    return requeue === undefined ? {} : { requeueAfterMs: requeue };
  }

  /** Creates the claims a new pod mounts, before the pod, as kube-controller-manager does. */
  private async ensureClaims(ref: ObjectRef, sts: StatefulSet, pod: Pod): Promise<void> {
    for (const { claim } of claimsFor(sts, ordinalOf(sts.metadata.name ?? "", pod))) {
      const claimKey = key(ref, "", "persistentvolumeclaims", claim.metadata.name);
      if (await this.store.get(claimKey)) continue;
      try {
        await controllerWrites(this.store, this.now).create(claimKey, claim);
      } catch (err) {
        if (!(err instanceof KubeError && err.code === 409) && !isNamespaceTerminating(err)) throw err;
        continue;
      }
      await this.events.record(
        ref.clusterId,
        sts,
        "Normal",
        "SuccessfulCreate",
        `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} success`,
      );
    }
  }
}

export const statefulSetController = kindController({
  queue: "statefulset",
  group: "apps",
  resource: "statefulsets",
  kind: "StatefulSet",
  start: (d) => {
    const controller = new StatefulSetController(d.store, d.events("statefulset-controller"));
    return (ref) => controller.reconcile(ref);
  },
});
