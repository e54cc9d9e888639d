import type { Pod } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/objects";
import type { NodeDeps, ProbeVerdicts } from "./node-context";

/**
 * What the prober's verdicts do: a changed result syncs the pod again (its readiness in the status); a
 * failed liveness (or startup) probe stops the container, and the sync that follows restarts it per policy.
 */
export function probeVerdicts(d: Pick<NodeDeps, "runtime" | "events" | "wakePod">): ProbeVerdicts {
  const resync = (ref: ObjectRef) => d.wakePod(ref).catch(() => undefined);
  const restart = async (clusterId: string, pod: Pod, container: string, containerId: string) => {
    await d.events.record(
      clusterId,
      pod,
      "Warning",
      "Unhealthy",
      `Liveness probe failed for container ${container}`,
    );
    await d.events.record(
      clusterId,
      pod,
      "Normal",
      "Killing",
      `Container ${container} failed liveness probe, will be restarted`,
    );
    await d.runtime
      .stopContainer(containerId, pod.spec.terminationGracePeriodSeconds ?? 30)
      .catch(() => undefined);
    if (clusterId)
      await resync({ clusterId, namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "" });
  };
  return {
    changed: (ref) => void resync(ref),
    unhealthy: (clusterId, pod, container, containerId) =>
      void restart(clusterId, pod, container, containerId),
  };
}
