import { KubeError } from "../../core/k8s/errors";
import { isControlledBy } from "../../core/k8s/owners";
import type { Pod } from "../../core/k8s/types";
import type { ControllerRevision, StatefulSet } from "../../core/k8s/workloads/types";
import type { ObjectRef } from "../../core/queues";
import type { ObjectKey, ObjectStore } from "../../db/store";
import type { EventRecorder } from "../events";
import { deletePodGracefully } from "../pod-deletion";
import type { Result } from "../shell";
import { applyRevisions } from "./apply-revisions";
import { planStatefulSet } from "./statefulset-plan";
import { writeStatus } from "./write-status";

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
    for (const pod of plan.create) {
      const name = pod.metadata.name ?? "";
      try {
        await this.store.create(key(ref, "", "pods", name), pod);
        await this.events.record(
          ref.clusterId,
          sts,
          "Normal",
          "SuccessfulCreate",
          `create Pod ${name} in StatefulSet ${setName} successful`,
        );
      } catch (err) {
        if (!(err instanceof KubeError && err.code === 409)) throw err;
      }
    }
    for (const name of plan.remove) {
      const pod = pods.find((p) => p.metadata.name === name);
      if (!pod) continue;
      await deletePodGracefully(this.store, key(ref, "", "pods", name), pod, now);
      await this.events.record(
        ref.clusterId,
        sts,
        "Normal",
        "SuccessfulDelete",
        `delete Pod ${name} in StatefulSet ${setName} successful`,
      );
    }
    await writeStatus(this.store, key(ref, "apps", "statefulsets"), sts.metadata.uid ?? "", plan.status);
    return plan.requeueAfterMs === undefined ? {} : { requeueAfterMs: plan.requeueAfterMs };
  }
}
