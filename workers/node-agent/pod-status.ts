import { isDeepStrictEqual } from "node:util";
import type { Pod, PodStatus } from "../../core/k8s/types";
import { METRICS } from "../../core/metrics";
import type { ObjectKey } from "../../core/objects";
import type { NodeDeps } from "./node-context";
import type { ObservedPod, PodIdentity } from "./runtime";
import { type PodProblems, podStatus } from "./status";

/** Whether two statuses say the same, their timestamps aside: an unchanged status is not written. */
export function sameStatus(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  const comparable = (s: unknown) =>
    JSON.stringify(s, (k, v) => (k === "lastTransitionTime" || k === "startTime" ? undefined : v));
  return isDeepStrictEqual(comparable(a), comparable(b));
}

export interface Warning {
  reason: string;
  message: string;
}

/** The kubelet's warnings for the containers of `pod` that started waiting for a bad reason since `before`. */
export function waitingWarnings(pod: Pod, before: PodStatus): Warning[] {
  const out: Warning[] = [];
  for (const s of pod.status?.containerStatuses ?? []) {
    const reason = s.state.waiting?.reason;
    const was = before.containerStatuses?.find((b) => b.name === s.name)?.state.waiting?.reason;
    if (!reason || reason === was) continue;
    if (reason === "CrashLoopBackOff")
      out.push({
        reason: "BackOff",
        message: `Back-off restarting failed container ${s.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
      });
    else if (reason === "ErrImageNeverPull")
      out.push({ reason: "ErrImageNeverPull", message: s.state.waiting?.message ?? reason });
  }
  return out;
}

/**
 * The pod's status as its node sees it: computed from the containers observed (status.ts), written when
 * it changed, with the startup metric and the kubelet's warnings that go with a change.
 */
export class PodStatusWriter {
  constructor(
    private readonly d: Pick<NodeDeps, "nodeName" | "nodeAddress" | "store" | "pods" | "events" | "now">,
  ) {}

  async write(
    key: ObjectKey,
    uid: string,
    observed: ObservedPod | undefined,
    missing: Set<string>,
    problems: PodProblems = {},
  ): Promise<void> {
    const now = this.d.now();
    let before: PodStatus | undefined;
    const written = await this.d.store.mutate(key, (current) => {
      const pod = current as Pod;
      if (pod.metadata.uid !== uid || pod.metadata.deletionTimestamp) return undefined;
      const next = podStatus(pod, observed, missing, this.d.nodeAddress, now, this.d.pods.prober, problems);
      if (sameStatus(pod.status, next)) return undefined;
      before = pod.status;
      pod.status = next;
      return pod;
    });
    if (!written) return;
    const pod = written as Pod;
    if (pod.status?.phase === "Running" && before?.phase !== "Running" && pod.metadata.creationTimestamp)
      METRICS.podStartup.record((now.getTime() - Date.parse(pod.metadata.creationTimestamp)) / 1000, {
        "k8s.node.name": this.d.nodeName,
      });
    if (!before) return;
    for (const w of waitingWarnings(pod, before))
      await this.d.events.record(key.clusterId, pod, "Warning", w.reason, w.message);
  }

  /** A container the kubelet would not create (runAsNonRoot refused): its status says why, and an event. */
  async configError(identity: PodIdentity, pod: Pod, container: string, message: string): Promise<void> {
    this.d.pods.configError(identity.uid, container, message);
    await this.d.events.record(identity.clusterId, pod, "Warning", "Failed", `Error: ${message}`);
  }
}
