import { describe, expect, it } from "vitest";
import type { Change } from "../db/store";
import { DECLARED } from "./controllers";
import { triggersFor } from "./dispatch";

function change(over: Partial<Change>): Change {
  return {
    resourceVersion: 7,
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

const queues = (c: Change) => triggersFor(DECLARED, c).map((t) => t.queue);
const sorted = (xs: string[]) => [...xs].sort();

describe("triggersFor over the declared controllers", () => {
  it("sends a new pod to the scheduler and a bound one to its node, not twice", () => {
    expect(sorted(queues(change({})))).toEqual(["disruption", "endpoints", "resource-quota", "scheduler"]);
    const bound = change({
      type: "MODIFIED",
      object: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p" },
        spec: { nodeName: "n1", containers: [] },
      },
      previous: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [] } },
    });
    expect(sorted(queues(bound))).toEqual(["disruption", "endpoints", "node@n1"]);
  });

  it("does not wake a node for a write that changed only the pod's status (its own)", () => {
    const pod = (phase: string, rv: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", resourceVersion: rv },
      spec: { nodeName: "n1", containers: [] },
      status: { phase },
    });
    const status = change({ type: "MODIFIED", object: pod("Running", "9"), previous: pod("Pending", "8") });
    expect(queues(status)).not.toContain("node@n1");
    const marked = pod("Running", "9");
    const deleting = {
      ...marked,
      metadata: { ...marked.metadata, deletionTimestamp: "2026-12-04T08:00:00Z" },
    };
    expect(queues(change({ type: "MODIFIED", object: deleting, previous: pod("Running", "8") }))).toContain(
      "node@n1",
    );
    expect(queues(change({ type: "DELETED", object: marked }))).toContain("node@n1");
  });

  it("reconfigures the data path when what NetworkPolicies see changes: pod address, labels, end; namespace labels", () => {
    const pod = (labels: Record<string, string>, podIP?: string, phase = "Running") => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", labels },
      spec: { nodeName: "n1", containers: [] },
      status: { phase, ...(podIP ? { podIP } : {}) },
    });
    const modified = (object: Change["object"], previous: Change["object"]) =>
      queues(change({ type: "MODIFIED", object, previous }));
    expect(modified(pod({}, "10.0.0.2"), pod({}))).toContain("cluster-network");
    expect(modified(pod({ access: "true" }, "10.0.0.2"), pod({}, "10.0.0.2"))).toContain("cluster-network");
    expect(modified(pod({}, "10.0.0.2", "Succeeded"), pod({}, "10.0.0.2"))).toContain("cluster-network");
    expect(modified(pod({}, "10.0.0.2"), pod({}, "10.0.0.2"))).not.toContain("cluster-network");
    expect(queues(change({ type: "DELETED", object: pod({}, "10.0.0.2") }))).toContain("cluster-network");
    expect(queues(change({ type: "DELETED", object: pod({}) }))).not.toContain("cluster-network");
    const ns = (labels: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team", labels },
    });
    const relabel = change({
      resource: "namespaces",
      namespace: "",
      name: "team",
      type: "MODIFIED",
      object: ns({ team: "blue" }),
      previous: ns({}),
    });
    expect(queues(relabel)).toContain("cluster-network");
    expect(queues({ ...relabel, object: ns({}) })).not.toContain("cluster-network");
  });

  it("recomputes the namespace's disruption budgets when a pod or a budget changes", () => {
    const ns = { clusterId: "c", namespace: "default", name: "" };
    const disruption = (c: Change) => triggersFor(DECLARED, c).find((t) => t.queue === "disruption")?.ref;
    expect(disruption(change({}))).toEqual(ns);
    expect(disruption(change({ group: "policy", resource: "poddisruptionbudgets", name: "web" }))).toEqual(
      ns,
    );
  });

  it("wakes the endpoints controller for a pod's namespace and for a Service, and the nodes' data path", () => {
    const svc = change({
      resource: "services",
      name: "web",
      object: { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: {} },
    });
    expect(triggersFor(DECLARED, svc)).toEqual(
      expect.arrayContaining([
        { queue: "endpoints", ref: { clusterId: "c", namespace: "default", name: "web" } },
        { queue: "cluster-network", ref: { clusterId: "c", namespace: "", name: "" } },
        { queue: "resource-quota", ref: { clusterId: "c", namespace: "default", name: "" } },
      ]),
    );
    expect(triggersFor(DECLARED, svc)).toHaveLength(3);
  });

  it("wakes the controlling owner of a pod", () => {
    const owned = change({
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
    expect(triggersFor(DECLARED, owned)).toContainEqual({
      queue: "replicaset",
      ref: { clusterId: "c", namespace: "default", name: "rs" },
    });
  });

  it("wakes each kind's own controller, and the garbage collector on deletion", () => {
    for (const [group, resource, queue] of [
      ["apps", "deployments", "deployment"],
      ["apps", "replicasets", "replicaset"],
      ["batch", "jobs", "job"],
      ["batch", "cronjobs", "cronjob"],
      ["apps", "statefulsets", "statefulset"],
      ["apps", "daemonsets", "daemonset"],
      ["networking.k8s.io", "ingresses", "ingress"],
      ["autoscaling", "horizontalpodautoscalers", "horizontal-pod-autoscaler"],
    ] as const) {
      expect(queues(change({ group, resource }))).toContain(queue);
    }
    const gone = triggersFor(DECLARED, change({ group: "apps", resource: "deployments", type: "DELETED" }));
    expect(gone).toEqual(
      expect.arrayContaining([
        { queue: "resource-quota", ref: { clusterId: "c", namespace: "default", name: "" } },
        { queue: "garbage-collector", ref: { clusterId: "c", namespace: "default", name: "u" } },
      ]),
    );
    expect(gone).toHaveLength(2);
  });

  it("finalizes a namespace marked for deletion and gives a new one its ServiceAccount and root CA", () => {
    const ns = (deletionTimestamp?: string) =>
      change({
        resource: "namespaces",
        namespace: "",
        name: "team",
        object: {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: "team", ...(deletionTimestamp ? { deletionTimestamp } : {}) },
        },
      });
    expect(triggersFor(DECLARED, ns())).toEqual([
      { queue: "serviceaccount", ref: { clusterId: "c", namespace: "", name: "team" } },
      { queue: "root-ca-cert-publisher", ref: { clusterId: "c", namespace: "", name: "team" } },
    ]);
    expect(triggersFor(DECLARED, { ...ns("2026-12-04T08:00:00Z"), type: "MODIFIED" })).toEqual([
      { queue: "namespace", ref: { clusterId: "c", namespace: "", name: "team" } },
    ]);
  });

  it("publishes the root CA again in a namespace whose kube-root-ca.crt changed or went", () => {
    const configMap = (name: string, type: Change["type"]) =>
      triggersFor(
        DECLARED,
        change({
          type,
          resource: "configmaps",
          namespace: "team",
          name,
          object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "team" } },
        }),
      ).filter((t) => t.queue === "root-ca-cert-publisher");
    const publish = [
      { queue: "root-ca-cert-publisher", ref: { clusterId: "c", namespace: "", name: "team" } },
    ];
    expect(configMap("kube-root-ca.crt", "DELETED")).toEqual(publish);
    expect(configMap("kube-root-ca.crt", "MODIFIED")).toEqual(publish);
    expect(configMap("settings", "DELETED")).toEqual([]);
  });

  it("recounts a namespace's quotas when objects come and go, a pod finishes, or a quota changes", () => {
    const quota = (c: Change) => triggersFor(DECLARED, c).filter((t) => t.queue === "resource-quota");
    const pod = (phase: string) =>
      change({
        type: "MODIFIED",
        object: {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "p" },
          spec: { containers: [] },
          status: { phase },
        },
      });
    expect(quota(pod("Running"))).toEqual([]);
    expect(quota(pod("Succeeded"))).toHaveLength(1);
    expect(quota(change({ resource: "resourcequotas", type: "MODIFIED" }))).toHaveLength(1);
    expect(quota(change({ resource: "events" }))).toEqual([]);
    expect(quota(change({ resource: "namespaces", namespace: "" }))).toEqual([]);
  });

  it("gives every controller a distinct queue", () => {
    const names = DECLARED.map((c) => c.queue);
    expect(new Set(names).size).toBe(names.length);
  });
});
