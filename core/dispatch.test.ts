import { describe, expect, it } from "vitest";
import { type Committed, triggersFor } from "./dispatch";
import { QUEUE } from "./queue-names";

function committed(over: Partial<Committed>): Committed {
  return {
    clusterId: "c",
    group: "",
    resource: "pods",
    namespace: "default",
    name: "p",
    type: "ADDED",
    object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", uid: "u" }, spec: { containers: [] } },
    ...over,
  };
}

describe("triggersFor", () => {
  it("sends a new pod to the scheduler and a bound one to its node", () => {
    expect(triggersFor(committed({})).map((t) => t.queue)).toEqual([
      QUEUE.scheduler,
      QUEUE.endpoints,
      QUEUE.disruption,
      QUEUE.resourceQuota,
    ]);
    const bound = committed({
      type: "MODIFIED",
      object: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p" },
        spec: { nodeName: "n1", containers: [] },
      },
    });
    expect(triggersFor(bound).map((t) => t.queue)).toEqual([
      QUEUE.node("n1"),
      QUEUE.endpoints,
      QUEUE.disruption,
    ]);
  });

  it("recomputes the namespace's disruption budgets when a pod or a budget changes", () => {
    const ns = { clusterId: "c", namespace: "default", name: "" };
    expect(triggersFor(committed({})).find((t) => t.queue === QUEUE.disruption)?.ref).toEqual(ns);
    const pdb = committed({ group: "policy", resource: "poddisruptionbudgets", name: "web" });
    expect(triggersFor(pdb).find((t) => t.queue === QUEUE.disruption)?.ref).toEqual(ns);
  });

  it("wakes the endpoints controller for the pod's namespace and the Service, and the nodes' data path", () => {
    expect(triggersFor(committed({})).find((t) => t.queue === QUEUE.endpoints)?.ref).toEqual({
      clusterId: "c",
      namespace: "default",
      name: "",
    });
    const svc = committed({
      resource: "services",
      name: "web",
      object: { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: {} },
    });
    expect(triggersFor(svc)).toEqual([
      { queue: QUEUE.endpoints, ref: { clusterId: "c", namespace: "default", name: "web" } },
      { queue: QUEUE.clusterNetwork, ref: { clusterId: "c", namespace: "", name: "" } },
      { queue: QUEUE.resourceQuota, ref: { clusterId: "c", namespace: "default", name: "" } },
    ]);
  });

  it("wakes the controlling owner of a pod", () => {
    const owned = committed({
      object: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: "p",
          ownerReferences: [
            { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "r", controller: true },
          ],
        },
        spec: { containers: [] },
      },
    });
    expect(triggersFor(owned)).toContainEqual({
      queue: QUEUE.replicaset,
      ref: { clusterId: "c", namespace: "default", name: "rs" },
    });
  });

  it("wakes each kind's own controller, and the garbage collector on deletion", () => {
    for (const [group, resource, queue] of [
      ["apps", "deployments", QUEUE.deployment],
      ["batch", "jobs", QUEUE.job],
      ["batch", "cronjobs", QUEUE.cronjob],
      ["apps", "statefulsets", QUEUE.statefulset],
      ["apps", "daemonsets", QUEUE.daemonset],
    ] as const) {
      expect(triggersFor(committed({ group, resource })).map((t) => t.queue)).toContain(queue);
    }
    const gone = triggersFor(committed({ group: "apps", resource: "deployments", type: "DELETED" }));
    expect(gone).toEqual([
      { queue: QUEUE.resourceQuota, ref: { clusterId: "c", namespace: "default", name: "" } },
      { queue: QUEUE.garbageCollector, ref: { clusterId: "c", namespace: "default", name: "u" } },
    ]);
  });

  it("recounts a namespace's quotas when objects come and go, a pod finishes, or a quota changes", () => {
    const quotaTriggers = (c: Committed) => triggersFor(c).filter((t) => t.queue === QUEUE.resourceQuota);
    const pod = (phase: string) =>
      committed({
        type: "MODIFIED",
        object: {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "p" },
          spec: { containers: [] },
          status: { phase },
        },
      });
    expect(quotaTriggers(pod("Running"))).toEqual([]);
    expect(quotaTriggers(pod("Succeeded"))).toHaveLength(1);
    expect(quotaTriggers(committed({ resource: "resourcequotas", type: "MODIFIED" }))).toHaveLength(1);
    expect(quotaTriggers(committed({ resource: "events" }))).toEqual([]);
    expect(quotaTriggers(committed({ resource: "namespaces", namespace: "" }))).toEqual([]);
  });
});
