import { randomBytes } from "node:crypto";
import { rfc3339 } from "../core/k8s/time";
import type { KubeObject } from "../core/k8s/types";
import type { ObjectStore } from "../db/store";

/** Writes core/v1 Events about an object, as the scheduler and the kubelet do; failures are not fatal. */
export class EventRecorder {
  constructor(
    private readonly store: ObjectStore,
    private readonly component: string,
    private readonly host: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(
    clusterId: string,
    about: KubeObject,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
  ): Promise<void> {
    const namespace = about.metadata.namespace ?? "default";
    const name = `${about.metadata.name}.${randomBytes(8).toString("hex")}`;
    const stamp = rfc3339(this.now());
    const event: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: about.apiVersion,
        kind: about.kind,
        namespace,
        name: about.metadata.name,
        uid: about.metadata.uid,
        resourceVersion: about.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component, host: this.host },
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
      eventTime: null,
      reportingComponent: this.component,
      reportingInstance: this.host,
    };
    await this.store
      .create({ clusterId, group: "", resource: "events", namespace, name }, event)
      .catch(() => undefined);
  }
}
