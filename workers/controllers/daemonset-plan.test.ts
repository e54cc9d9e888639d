import { describe, expect, it } from "vitest";
import type { Pod } from "../../core/k8s/types";
import { CONTROLLER_REVISION_HASH_LABEL, type DaemonSet } from "../../core/k8s/workloads/types";
import { planDaemonSet } from "./daemonset-plan";
import { type NodeInfo, nodeShouldRun, tolerates } from "./node-eligibility";
import { revisionHash } from "./revisions";

const NOW = new Date("2026-01-01T00:10:00Z");
const template = (image: string, spec: Partial<Pod["spec"]> = {}) => ({
  metadata: { labels: { app: "agent" } },
  spec: { containers: [{ name: "agent", image }], ...spec },
});

function ds(image: string, spec: Partial<Pod["spec"]> = {}, maxUnavailable: number | string = 1): DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agent", namespace: "default", uid: "d1", generation: 3 },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      template: template(image, spec),
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable, maxSurge: 0 } },
    },
  };
}

const node = (
  name: string,
  labels: Record<string, string> = {},
  taints: NodeInfo["taints"] = [],
): NodeInfo => ({
  name,
  labels: { "kubernetes.io/hostname": name, ...labels },
  taints,
});

function pod(
  name: string,
  nodeName: string,
  image: string,
  state: "ready" | "pending" | "terminating" | "failed" = "ready",
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      labels: { app: "agent", [CONTROLLER_REVISION_HASH_LABEL]: revisionHash(template(image)) },
      creationTimestamp: "2026-01-01T00:00:00Z",
      ...(state === "terminating" ? { deletionTimestamp: "2026-01-01T00:10:30Z" } : {}),
    },
    spec: { containers: [{ name: "agent", image }], nodeName },
    status: {
      phase: state === "pending" ? "Pending" : state === "failed" ? "Failed" : "Running",
      conditions: [
        {
          type: "Ready",
          status: state === "ready" || state === "terminating" ? "True" : "False",
          lastProbeTime: null,
          lastTransitionTime: "2026-01-01T00:01:00Z",
        },
      ],
    },
  };
}

describe("node eligibility", () => {
  it("honours nodeSelector, required node affinity and taints", () => {
    const gpu = node("n2", { gpu: "yes" }, [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }]);
    expect(nodeShouldRun({ containers: [], nodeSelector: { gpu: "yes" } }, node("n1"))).toBe(false);
    expect(nodeShouldRun({ containers: [] }, gpu)).toBe(false);
    const tolerating = {
      containers: [],
      tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu" }],
    };
    expect(nodeShouldRun(tolerating, gpu)).toBe(true);
    expect(tolerates({ operator: "Exists" }, { key: "any", effect: "NoExecute" })).toBe(true);
    expect(
      nodeShouldRun({ containers: [] }, node("n3", {}, [{ key: "soft", effect: "PreferNoSchedule" }])),
    ).toBe(true);
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "gpu", operator: "Exists" }] }],
        },
      },
    };
    expect(nodeShouldRun({ containers: [], affinity }, node("n1"))).toBe(false);
    expect(nodeShouldRun({ containers: [], affinity, tolerations: [{ operator: "Exists" }] }, gpu)).toBe(
      true,
    );
  });
});

describe("planDaemonSet", () => {
  it("creates one pod bound to each eligible node", () => {
    const plan = planDaemonSet(
      ds("busybox", { nodeSelector: { role: "edge" } }),
      [node("n1", { role: "edge" }), node("n2")],
      [],
      [],
      NOW,
    );
    expect(plan.create).toHaveLength(1);
    const p = plan.create[0] as Pod;
    expect(p.spec.nodeName).toBe("n1");
    expect(p.metadata.name).toMatch(/^agent-[a-z0-9]{5}$/);
    expect(p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]).toBe(
      revisionHash(template("busybox", { nodeSelector: { role: "edge" } })),
    );
    expect(JSON.stringify(p.spec.affinity)).toContain('"values":["n1"]');
    expect(p.spec.tolerations).toContainEqual({
      key: "node.kubernetes.io/unschedulable",
      operator: "Exists",
      effect: "NoSchedule",
    });
    expect(plan.status).toMatchObject({
      desiredNumberScheduled: 1,
      currentNumberScheduled: 0,
      numberUnavailable: 1,
    });
  });

  it("counts what kubectl shows and removes misscheduled, duplicate and failed pods", () => {
    const nodes = [node("n1"), node("n2"), node("n3", { off: "1" })];
    const set = ds("busybox", {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "off", operator: "DoesNotExist" }] }],
          },
        },
      },
    });
    const hashLabel = { [CONTROLLER_REVISION_HASH_LABEL]: revisionHash(set.spec.template) };
    const mine = (p: Pod) => ({
      ...p,
      metadata: { ...p.metadata, labels: { ...p.metadata.labels, ...hashLabel } },
    });
    const pods = [
      mine(pod("a", "n1", "busybox")),
      mine({
        ...pod("b", "n1", "busybox"),
        metadata: { ...pod("b", "n1", "busybox").metadata, creationTimestamp: "2026-01-01T00:05:00Z" },
      }),
      mine(pod("c", "n2", "busybox", "failed")),
      mine(pod("d", "n3", "busybox")),
    ];
    const plan = planDaemonSet(set, nodes, pods, [], NOW);
    expect(plan.create).toEqual([]);
    expect(plan.remove.sort()).toEqual(["b", "c", "d"]);
    expect(plan.status).toEqual({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberMisscheduled: 1,
      numberReady: 1,
      numberAvailable: 1,
      updatedNumberScheduled: 2,
      numberUnavailable: 1,
      observedGeneration: 3,
    });
  });

  it("rolls a new template through at most maxUnavailable nodes at a time", () => {
    const nodes = [node("n1"), node("n2"), node("n3")];
    const old = [pod("a", "n1", "busybox:1"), pod("b", "n2", "busybox:1"), pod("c", "n3", "busybox:1")];
    expect(planDaemonSet(ds("busybox:2"), nodes, old, [], NOW).remove).toEqual(["a"]);
    expect(planDaemonSet(ds("busybox:2", {}, 2), nodes, old, [], NOW).remove).toEqual(["a", "b"]);

    const draining = [pod("a", "n1", "busybox:1", "terminating"), old[1] as Pod, old[2] as Pod];
    const wait = planDaemonSet(ds("busybox:2"), nodes, draining, [], NOW);
    expect(wait.remove).toEqual([]);
    expect(wait.create).toEqual([]);

    const replaced = [
      pod("a2", "n1", "busybox:2", "pending"),
      old[1] as Pod,
      pod("c", "n3", "busybox:1", "pending"),
    ];
    expect(planDaemonSet(ds("busybox:2"), nodes, replaced, [], NOW).remove).toEqual(["c"]);
    const gone = planDaemonSet(
      ds("busybox:2"),
      nodes,
      [pod("a2", "n1", "busybox:2"), old[1] as Pod],
      [],
      NOW,
    );
    expect(gone.create.map((p) => p.spec.nodeName)).toEqual(["n3"]);
    expect(gone.remove).toEqual([]);
  });
});
