import { describe, expect, it } from "vitest";
import type { KubeObject } from "../core/k8s/types";
import type { ObjectKey } from "../core/objects";
import type { ObjectStore } from "../db/store";
import { EventRecorder } from "./events";

/** The two calls the recorder makes, over a map. */
function memoryStore() {
  const objects = new Map<string, KubeObject>();
  const store = {
    async create(key: ObjectKey, obj: KubeObject) {
      objects.set(key.name, obj);
      return obj;
    },
    async mutate(key: ObjectKey, change: (o: KubeObject) => KubeObject | undefined) {
      const current = objects.get(key.name);
      const next = current && change(structuredClone(current));
      if (next) objects.set(key.name, next);
      return next;
    },
  };
  return { objects, store: store as unknown as ObjectStore };
}

const pod: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default", uid: "u1" },
};

describe("EventRecorder", () => {
  it("folds a repeated event into the first one's count", async () => {
    const { objects, store } = memoryStore();
    const recorder = new EventRecorder(store, "kubelet", "node-1");
    for (let i = 0; i < 3; i++) await recorder.record("c", pod, "Warning", "BackOff", "Back-off restarting");
    await recorder.record("c", pod, "Normal", "Pulled", "Container image already present");
    const events = [...objects.values()];
    expect(events.map((e) => [e.reason, e.count])).toEqual([
      ["BackOff", 3],
      ["Pulled", 1],
    ]);
  });

  it("combines similar events past ten in ten minutes, as client-go's aggregator", async () => {
    const { objects, store } = memoryStore();
    const recorder = new EventRecorder(store, "replicaset-controller", "");
    for (let i = 0; i < 14; i++)
      await recorder.record(
        "c",
        pod,
        "Warning",
        "FailedCreate",
        `Error creating: pods "web-${i}" is forbidden`,
      );
    const events = [...objects.values()];
    expect(events).toHaveLength(11);
    const combined = events.find((e) => String(e.message).startsWith("(combined from similar events)"));
    expect(combined).toMatchObject({
      count: 4,
      message: '(combined from similar events): Error creating: pods "web-13" is forbidden',
    });
  });
});
