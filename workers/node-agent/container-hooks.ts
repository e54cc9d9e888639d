import type { Pod } from "../../core/k8s/types";
import { hookOf, runHook } from "./hooks";
import type { NodeDeps } from "./node-context";
import { latest } from "./plan";
import { LABEL, type ObservedPod, type PodIdentity } from "./runtime";

/** The containers' lifecycle hooks around their stop and start, as the kubelet runs them. */
export class ContainerHooks {
  constructor(private readonly d: Pick<NodeDeps, "runtime" | "events" | "wakePod">) {}

  /** preStop first (within the grace period), then SIGTERM and, after what is left of it, SIGKILL. */
  async stop(
    pod: Pod | undefined,
    identity: PodIdentity | undefined,
    observed: ObservedPod | undefined,
    containerId: string,
    graceSeconds: number,
  ): Promise<void> {
    const name = observed?.containers.find((c) => c.id === containerId)?.name;
    const container = pod?.spec.containers.find((c) => c.name === name);
    const hook = hookOf(container, "preStop");
    const started = Date.now();
    if (pod && identity && container && hook) {
      const ip = latest(observed?.sandboxes ?? [])?.ip;
      const failure = await runHook(this.d.runtime, container, containerId, hook, ip, graceSeconds * 1000);
      if (failure)
        await this.d.events.record(
          identity.clusterId,
          pod,
          "Warning",
          "FailedPreStopHook",
          `PreStopHook failed: ${failure}`,
        );
    }
    const left = Math.max(0, graceSeconds - (Date.now() - started) / 1000);
    await this.d.runtime.stopContainer(containerId, left);
  }

  /** postStart, right after the container starts; a failure kills it, and its restart policy decides. */
  async postStart(pod: Pod, identity: PodIdentity, name: string, containerId: string): Promise<void> {
    const container = pod.spec.containers.find((c) => c.name === name);
    const hook = hookOf(container, "postStart");
    if (!container || !hook) return;
    const pods = await this.d.runtime.listPods({
      [LABEL.cluster]: identity.clusterId,
      [LABEL.podUid]: identity.uid,
    });
    const ip = latest(pods.get(identity.uid)?.sandboxes ?? [])?.ip;
    const failure = await runHook(this.d.runtime, container, containerId, hook, ip, 30_000);
    if (!failure) return;
    await this.d.events.record(
      identity.clusterId,
      pod,
      "Warning",
      "FailedPostStartHook",
      `PostStartHook failed: ${failure}`,
    );
    await this.d.runtime.stopContainer(containerId, pod.spec.terminationGracePeriodSeconds ?? 30);
    await this.d.wakePod({
      clusterId: identity.clusterId,
      namespace: identity.namespace,
      name: identity.name,
    });
  }
}
