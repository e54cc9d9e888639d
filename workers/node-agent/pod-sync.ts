import { isDeepStrictEqual } from "node:util";
import { allContainers } from "../../core/k8s/pods";
import type { KubeObject, Pod } from "../../core/k8s/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import type { Change } from "../../db/store";
import type { Controller } from "../controller";
import type { Result } from "../shell";
import { EVICTED, planEviction } from "./eviction";
import type { NodeDeps } from "./node-context";
import { latest, type Plan, planPodSync, planSleep } from "./plan";
import { PodApply } from "./pod-apply";
import { PodStatusWriter } from "./pod-status";
import { PodVolumes, type PreparedVolumes } from "./pod-volumes";
import { LABEL, type ObservedPod, type PodIdentity } from "./runtime";

/** How soon a pod whose volume cannot be set up (a missing ConfigMap…) is tried again. */
const VOLUME_RETRY_MS = 2_000;

function podKey(ref: ObjectRef): ObjectKey {
  return { clusterId: ref.clusterId, group: "", resource: "pods", namespace: ref.namespace, name: ref.name };
}

/**
 * Converges one pod (by name) on this node, as the kubelet's syncPod: its current incarnation runs (plan,
 * volumes, apply), older incarnations are removed, a pod marked for eviction is evicted, and its status is
 * written from what runs.
 */
export class PodSync {
  private readonly volumes: PodVolumes;
  private readonly status: PodStatusWriter;
  private readonly applier: PodApply;

  constructor(private readonly d: NodeDeps) {
    const { tokenSecret } = d.settings;
    this.volumes = new PodVolumes(
      d.runtime,
      d.store,
      d.settings.maxMemoryEmptyDirBytes,
      tokenSecret ? { secret: tokenSecret, now: () => d.now() } : undefined,
    );
    this.status = new PodStatusWriter(d);
    this.applier = new PodApply(d, this.volumes, this.status);
  }

  async reconcile(ref: ObjectRef): Promise<Result> {
    const { pods, runtime } = this.d;
    const key = podKey(ref);
    const [stored, held, cluster] = await Promise.all([
      this.d.store.get(key) as Promise<Pod | undefined>,
      runtime.listPods({
        [LABEL.cluster]: ref.clusterId,
        [LABEL.namespace]: ref.namespace,
        [LABEL.pod]: ref.name,
      }),
      this.d.clusters.get(ref.clusterId),
    ]);
    const pod = stored?.spec.nodeName === this.d.nodeName ? stored : undefined;
    for (const [uid, stale] of held) {
      if (uid === pod?.metadata.uid) continue;
      pods.forget(uid);
      this.volumes.forget(uid);
      await this.applier.apply(
        { observed: stale },
        planPodSync(undefined, stale, new Set(), this.d.now()).actions,
      );
    }
    if (!pod) return {};
    const { clusterId, namespace, name } = ref;
    const identity: PodIdentity = { clusterId, namespace, name, uid: pod.metadata.uid ?? "" };
    const observed = held.get(identity.uid);
    // a pod being deleted goes as usual: its object must not outlast the sleep
    if (cluster?.phase === "Sleeping" && !pod.metadata.deletionTimestamp)
      return this.sleep(pod, identity, observed);
    pods.runs(identity.uid, ref.clusterId);
    const missing = await this.missingImages(pod);
    const eviction = pods.takeEviction(identity.uid);
    if (eviction !== undefined) {
      const phase = pod.status?.phase;
      if (!pod.metadata.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed")
        return this.evict(key, pod, identity, observed, missing, eviction);
    }
    const plan = planPodSync(pod, observed, missing, this.d.now());
    const volumes = await this.prepareVolumes(pod, identity, plan);
    if (plan.actions.length > 0) await this.applier.apply({ pod, identity, observed, volumes }, plan.actions);
    if (plan.actions.some((a) => a.kind === "deletePod")) {
      pods.forget(identity.uid);
      this.volumes.forget(identity.uid);
      return {};
    }
    const after = plan.actions.length > 0 ? await this.observe(identity) : observed;
    const sandbox = latest(after?.sandboxes ?? []);
    const running = sandbox?.state === "running" ? sandbox : undefined;
    pods.prober.sync(pod, after?.containers ?? [], running?.ip);
    await this.status.write(key, identity.uid, after, missing, pods.problemsOf(identity.uid));
    const renewIn =
      running && !pod.metadata.deletionTimestamp
        ? await this.volumes.renewTokens(pod, clusterId, running.id)
        : undefined;
    const requeue = [plan.requeueAfterMs, renewIn].filter((ms): ms is number => ms !== undefined);
    return requeue.length ? { requeueAfterMs: Math.min(...requeue) } : {};
  }

  /**
   * A pod of a sleeping cluster, as on a node whose kubelet is stopped for a while: its containers stopped
   * and removed, its probes forgotten, and its object left as last reported (phase, conditions, podIP) —
   * neither Failed, which would have its controller replace it, nor rewritten on every relist. Its
   * volumes stay; its next sync once the cluster is Active starts it again in a new sandbox.
   */
  private async sleep(pod: Pod, identity: PodIdentity, observed: ObservedPod | undefined): Promise<Result> {
    this.d.pods.forget(identity.uid);
    const actions = planSleep(pod, observed);
    if (actions.length > 0) await this.applier.apply({ pod, identity, observed }, actions);
    return {};
  }

  /**
   * The pod's volumes, when the plan starts something. A volume that cannot be set up yet (FailedMount)
   * holds back what the plan would start, and the pod is tried again soon.
   */
  private async prepareVolumes(
    pod: Pod,
    identity: PodIdentity,
    plan: Plan,
  ): Promise<PreparedVolumes | undefined> {
    if (!plan.actions.some((a) => a.kind === "runSandbox" || a.kind === "runContainer")) return undefined;
    const prepared = await this.volumes.prepare(pod, identity.clusterId);
    if (!("message" in prepared)) return prepared;
    await this.d.events.record(
      identity.clusterId,
      pod,
      "Warning",
      "FailedMount",
      `MountVolume.SetUp failed for volume "${prepared.volume}" : ${prepared.message}`,
    );
    plan.actions = plan.actions.filter((a) => a.kind !== "runSandbox" && a.kind !== "runContainer");
    plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? VOLUME_RETRY_MS, VOLUME_RETRY_MS);
    return undefined;
  }

  /**
   * The kubelet's eviction of a pod whose emptyDir outgrew its sizeLimit: a Warning event, its containers
   * killed, and the pod Failed with reason Evicted and the kubelet's message (its containers terminated,
   * never restarted).
   */
  private async evict(
    key: ObjectKey,
    pod: Pod,
    identity: PodIdentity,
    observed: ObservedPod | undefined,
    missing: Set<string>,
    message: string,
  ): Promise<Result> {
    await this.d.events.record(identity.clusterId, pod, "Warning", EVICTED, message);
    // Failed first: a sync of the pod under way meanwhile then restarts nothing it sees killed
    await this.status.write(key, identity.uid, observed, missing, { evicted: message });
    await this.applier.apply({ pod, identity, observed }, planEviction(observed));
    this.d.pods.prober.forget(identity.uid);
    await this.status.write(key, identity.uid, await this.observe(identity), missing, { evicted: message });
    return {};
  }

  private async observe(identity: PodIdentity): Promise<ObservedPod | undefined> {
    const held = await this.d.runtime.listPods({
      [LABEL.cluster]: identity.clusterId,
      [LABEL.podUid]: identity.uid,
    });
    return held.get(identity.uid);
  }

  private async missingImages(pod: Pod): Promise<Set<string>> {
    const images = [...new Set(allContainers(pod).map((c) => c.image ?? ""))];
    const present = await Promise.all(images.map((i) => this.d.runtime.hasImage(i)));
    return new Set(images.filter((_, i) => !present[i]));
  }
}

/** The pod without what only its node writes: status, and the bookkeeping every write changes. */
function desired(pod: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = pod;
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = metadata;
  return { ...rest, metadata: meta };
}

/** Whether a pod's write changed only its status: the agent's own writes, which must not wake it again. */
function statusOnly(c: Change): boolean {
  return (
    c.type === "MODIFIED" &&
    c.previous !== undefined &&
    isDeepStrictEqual(desired(c.previous), desired(c.object))
  );
}

/** Converges each pod bound to the node; the ref always names a pod. */
export const podSyncController: Controller<NodeDeps> = {
  queue: "node",
  perNode: true,
  watches: [
    {
      group: "",
      resource: "pods",
      when: (c) => !statusOnly(c),
      map: (c) => {
        const node = (c.object as Pod).spec?.nodeName;
        return node ? [{ ref: { clusterId: c.clusterId, namespace: c.namespace, name: c.name }, node }] : [];
      },
    },
  ],
  start: (d) => {
    const sync = new PodSync(d);
    return (ref) => sync.reconcile(ref);
  },
};
