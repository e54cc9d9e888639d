import { randomBytes } from "node:crypto";
import { rfc3339 } from "../core/k8s/time";
import type { KubeObject } from "../core/k8s/types";
import type { ObjectKey } from "../core/objects";
import type { ObjectStore } from "../db/store";

/** How many recent events a recorder remembers to fold repeats into (client-go's cache is 4096 too). */
const REMEMBERED = 4096;
/** client-go's EventAggregator: past this many similar events in the window, they are combined. */
const SIMILAR_LIMIT = 10;
const SIMILAR_WINDOW_MS = 10 * 60_000;

/**
 * Writes core/v1 Events about an object, as the scheduler and the kubelet do; failures are not fatal. A
 * repeat of an event (same object, type, reason and message) bumps the first one's count and
 * lastTimestamp instead of writing another, as client-go's EventCorrelator does; past ten similar events
 * (same object, type and reason) in ten minutes, the next ones are combined into one as well.
 */
export class EventRecorder {
  private readonly recent = new Map<string, ObjectKey>();
  private readonly similar = new Map<string, number[]>();

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
    const stamp = rfc3339(this.now());
    const object = [clusterId, about.metadata.uid ?? about.metadata.name, type, reason].join("\u0000");
    const combined = this.isFrequent(object);
    if (combined) message = `(combined from similar events): ${message}`;
    const identity = combined ? object : `${object}\u0000${message}`;
    const seen = this.recent.get(identity);
    if (seen) {
      const bumped = await this.store
        .mutate(seen, (event) => ({
          ...event,
          count: ((event.count as number) ?? 1) + 1,
          lastTimestamp: stamp,
          message,
        }))
        .catch(() => undefined);
      if (bumped) return;
      this.recent.delete(identity);
    }
    const name = `${about.metadata.name}.${randomBytes(8).toString("hex")}`;
    const key: ObjectKey = { clusterId, group: "", resource: "events", namespace, name };
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
    const created = await this.store.create(key, event).catch(() => undefined);
    if (!created) return;
    this.recent.set(identity, key);
    if (this.recent.size > REMEMBERED) this.recent.delete(this.recent.keys().next().value as string);
  }

  /** Whether this object has had more than SIMILAR_LIMIT events of this type and reason in the window. */
  private isFrequent(object: string): boolean {
    const now = this.now().getTime();
    const times = (this.similar.get(object) ?? []).filter((t) => now - t < SIMILAR_WINDOW_MS);
    times.push(now);
    this.similar.delete(object);
    this.similar.set(object, times);
    if (this.similar.size > REMEMBERED) this.similar.delete(this.similar.keys().next().value as string);
    return times.length > SIMILAR_LIMIT;
  }
}
