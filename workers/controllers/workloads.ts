import { KubeError } from "../../core/k8s/errors";
import { isControlledBy } from "../../core/k8s/owners";
import { podFromTemplate } from "../../core/k8s/pods";
import type { Pod } from "../../core/k8s/types";
import { type Deployment, REVISION_ANNOTATION, type ReplicaSet } from "../../core/k8s/workloads/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import { isNamespaceTerminating } from "../../db/object-writer/prepare";
import type { ObjectStore } from "../../db/store";
import { kindController } from "../controller";
import type { EventRecorder } from "../events";
import type { Result } from "../shell";
import { planDeployment } from "./deployment-plan";
import { applyPodChanges, REFUSED_RETRY_MS } from "./owned-pods";
import { planReplicaSet } from "./replicaset-plan";
import { writeStatus } from "./write-status";
import { controllerWrites } from "./writes";

const key = (ref: ObjectRef, group: string, resource: string, name = ref.name): ObjectKey => ({
  clusterId: ref.clusterId,
  group,
  resource,
  namespace: ref.namespace,
  name,
});

/** The ReplicaFailure condition while the set's pods are refused, kept from its first failure. */
function replicaFailure(rs: ReplicaSet, refused: string | undefined, now: Date) {
  if (!refused) return {};
  const before = rs.status?.conditions?.find((c) => c.type === "ReplicaFailure");
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    conditions: [
      {
        type: "ReplicaFailure",
        status: "True",
        lastTransitionTime: before?.lastTransitionTime ?? stamp,
        reason: "FailedCreate",
        message: refused.replace(/^Error creating: /, ""),
      },
    ],
  };
}

/** Keeps `spec.replicas` pods of a ReplicaSet's template running (see replicaset-plan.ts). */
export class ReplicaSetController {
  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const rs = (await this.store.get(key(ref, "apps", "replicasets"))) as ReplicaSet | undefined;
    if (!rs || rs.metadata.deletionTimestamp) return {};
    const { items } = await this.store.list({
      clusterId: ref.clusterId,
      group: "",
      resource: "pods",
      namespace: ref.namespace,
    });
    const pods = items.filter((p) => isControlledBy(p, rs)) as Pod[];
    const now = this.now();
    const plan = planReplicaSet(rs, pods, now);
    const create = Array.from({ length: plan.create }, () =>
      podFromTemplate(rs, rs.spec.template, ref.namespace),
    );
    const { refused } = await applyPodChanges({ store: this.store, events: this.events }, ref, rs, {
      create,
      remove: plan.remove,
      pods,
      now,
    });
    const status = { ...plan.status, ...replicaFailure(rs, refused, now) };
    await writeStatus(this.store, key(ref, "apps", "replicasets"), rs.metadata.uid ?? "", status);
    return refused ? { requeueAfterMs: REFUSED_RETRY_MS } : {};
  }
}

/** Rolls a Deployment's ReplicaSets towards its template (see deployment-plan.ts). */
export class DeploymentController {
  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const d = (await this.store.get(key(ref, "apps", "deployments"))) as Deployment | undefined;
    if (!d || d.metadata.deletionTimestamp) return {};
    const { items } = await this.store.list({
      clusterId: ref.clusterId,
      group: "apps",
      resource: "replicasets",
      namespace: ref.namespace,
    });
    const owned = items.filter((rs) => isControlledBy(rs, d)) as ReplicaSet[];
    const plan = planDeployment(d, owned, this.now());
    const writes = controllerWrites(this.store, this.now);
    if (plan.createReplicaSet) {
      const rs = plan.createReplicaSet;
      try {
        await writes.create(key(ref, "apps", "replicasets", rs.metadata.name), rs);
        await this.events.record(
          ref.clusterId,
          d,
          "Normal",
          "ScalingReplicaSet",
          `Scaled up replica set ${rs.metadata.name} to ${rs.spec.replicas}`,
        );
      } catch (err) {
        if (!(err instanceof KubeError && err.code === 409) && !isNamespaceTerminating(err)) throw err;
      }
    }
    for (const s of plan.scale) {
      const before = owned.find((rs) => rs.metadata.name === s.name)?.spec.replicas ?? 0;
      await writes.mutate(key(ref, "apps", "replicasets", s.name), (rs) => {
        const spec = rs.spec as ReplicaSet["spec"];
        spec.replicas = s.replicas;
        if (s.revision !== undefined) {
          rs.metadata.annotations = { ...rs.metadata.annotations, [REVISION_ANNOTATION]: String(s.revision) };
        }
        return rs;
      });
      if (before !== s.replicas) {
        const verb = s.replicas > before ? "up" : "down";
        await this.events.record(
          ref.clusterId,
          d,
          "Normal",
          "ScalingReplicaSet",
          `Scaled ${verb} replica set ${s.name} to ${s.replicas} from ${before}`,
        );
      }
    }
    for (const name of plan.remove) {
      await this.store.delete(key(ref, "apps", "replicasets", name)).catch((err) => {
        if (!(err instanceof KubeError && err.code === 404)) throw err;
      });
    }
    await writeStatus(this.store, key(ref, "apps", "deployments"), d.metadata.uid ?? "", plan.status, {
      [REVISION_ANNOTATION]: String(plan.revision),
    });
    return plan.recheckAfterMs !== undefined ? { requeueAfterMs: plan.recheckAfterMs } : {};
  }
}

export const replicaSetController = kindController({
  queue: "replicaset",
  group: "apps",
  resource: "replicasets",
  kind: "ReplicaSet",
  start: (d) => {
    const controller = new ReplicaSetController(d.store, d.events("replicaset-controller"));
    return (ref) => controller.reconcile(ref);
  },
});

export const deploymentController = kindController({
  queue: "deployment",
  group: "apps",
  resource: "deployments",
  kind: "Deployment",
  start: (d) => {
    const controller = new DeploymentController(d.store, d.events("deployment-controller"));
    return (ref) => controller.reconcile(ref);
  },
});
