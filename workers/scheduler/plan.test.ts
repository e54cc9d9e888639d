import { describe, expect, it } from "vitest";
import { podRequests } from "../../core/k8s/requests";
import type { Pod } from "../../core/k8s/types";
import { type NodeCandidate, schedulePod } from "./plan";

const GiB = 1024 ** 3;

function node(name: string, over: Partial<NodeCandidate> = {}): NodeCandidate {
  return {
    name,
    ready: true,
    labels: { "kubernetes.io/hostname": name },
    allocatable: { cpuMillis: 2000, memoryBytes: 4 * GiB, pods: 110 },
    requested: { cpuMillis: 0, memoryBytes: 0, pods: 0 },
    ...over,
  };
}

function pod(requests: Record<string, string> = {}, spec: Partial<Pod["spec"]> = {}, name = "p"): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: {} },
    spec: { containers: [{ name: "c", image: "nginx", resources: { requests } }], ...spec },
  };
}

/** A pod already bound to the node, and the node with its requests counted. */
function withPods(n: NodeCandidate, ...pods: Pod[]): NodeCandidate {
  const want = pods.map(podRequests);
  return {
    ...n,
    pods: [...(n.pods ?? []), ...pods],
    requested: {
      cpuMillis: n.requested.cpuMillis + want.reduce((sum, r) => sum + r.cpuMillis, 0),
      memoryBytes: n.requested.memoryBytes + want.reduce((sum, r) => sum + r.memoryBytes, 0),
      pods: n.requested.pods + pods.length,
    },
  };
}

function labelled(
  name: string,
  labels: Record<string, string>,
  spec: Partial<Pod["spec"]> = {},
  ns = "default",
): Pod {
  const p = pod({}, spec, name);
  p.metadata.labels = labels;
  p.metadata.namespace = ns;
  return p;
}

describe("schedulePod: resources", () => {
  it("prefers the least allocated node", () => {
    const busy = node("a", { requested: { cpuMillis: 1500, memoryBytes: 3 * GiB, pods: 5 } });
    expect(schedulePod(pod({ cpu: "100m" }), [busy, node("b")])).toEqual({ node: "b" });
  });

  it("keeps pods off cordoned nodes unless they tolerate it", () => {
    const cordoned = node("a", { unschedulable: true });
    expect(schedulePod(pod(), [cordoned])).toEqual({
      unschedulable:
        "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    });
    const tolerant = pod();
    tolerant.spec.tolerations = [
      { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
    ];
    expect(schedulePod(tolerant, [cordoned])).toEqual({ node: "a" });
  });

  it("skips nodes that are not ready or do not match the node selector", () => {
    const nodes = [node("a", { ready: false }), node("b"), node("c", { labels: { disk: "ssd" } })];
    expect(schedulePod(pod({}, { nodeSelector: { disk: "ssd" } }), nodes)).toEqual({ node: "c" });
  });

  it("explains why nothing fits, counting each reason like kube-scheduler", () => {
    const nodes = [node("a"), node("b", { ready: false })];
    expect(schedulePod(pod({ cpu: "3" }), nodes)).toEqual({
      unschedulable:
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were not ready. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    });
  });

  it("counts memory requests in bytes", () => {
    expect(schedulePod(pod({ memory: "5Gi" }), [node("a")])).toMatchObject({
      unschedulable: expect.stringMatching(/^0\/1 nodes are available: 1 Insufficient memory\. preemption: /),
    });
    expect(schedulePod(pod({ memory: "3Gi" }), [node("a")])).toEqual({ node: "a" });
  });
});

describe("schedulePod: node affinity", () => {
  const zoned = [
    node("a", { labels: { zone: "x", gen: "3" } }),
    node("b", { labels: { zone: "y", gen: "5" } }),
    node("c", { labels: { gen: "9" } }),
  ];
  const required = (...matchExpressions: unknown[]) => ({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] },
      },
    },
  });

  it.each([
    [{ key: "zone", operator: "In", values: ["y"] }, "b"],
    [{ key: "zone", operator: "NotIn", values: ["x", "y"] }, "c"],
    [{ key: "zone", operator: "DoesNotExist" }, "c"],
    [{ key: "gen", operator: "Gt", values: ["4"] }, ["b", "c"]],
    [{ key: "gen", operator: "Lt", values: ["4"] }, "a"],
  ])("honours %j", (expr, want) => {
    const decision = schedulePod(pod({}, required(expr)), zoned) as { node: string };
    expect([want].flat()).toContain(decision.node);
  });

  it("Exists needs the label; terms are ORed, expressions ANDed", () => {
    const spec = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: "zone", operator: "Exists" },
                  { key: "gen", operator: "Gt", values: ["4"] },
                ],
              },
              { matchExpressions: [{ key: "nope", operator: "Exists" }] },
            ],
          },
        },
      },
    };
    expect(schedulePod(pod({}, spec), zoned)).toEqual({ node: "b" });
  });

  it("matchFields selects by node name", () => {
    const spec = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["c"] }] }],
          },
        },
      },
    };
    expect(schedulePod(pod({}, spec), zoned)).toEqual({ node: "c" });
  });

  it("an unsatisfiable affinity leaves the pod Pending with kube's message", () => {
    expect(
      schedulePod(pod({}, required({ key: "zone", operator: "In", values: ["mars"] })), [node("a")]),
    ).toEqual({
      unschedulable:
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    });
  });

  it("preferred terms weigh more than free resources", () => {
    const spec = {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["x"] }] },
            },
            { weight: 80, preference: { matchExpressions: [{ key: "gen", operator: "Gt", values: ["8"] }] } },
          ],
        },
      },
    };
    const busyC = {
      ...zoned[2],
      requested: { cpuMillis: 1000, memoryBytes: 2 * GiB, pods: 3 },
    } as NodeCandidate;
    expect(schedulePod(pod({}, spec), [zoned[0] as NodeCandidate, zoned[1] as NodeCandidate, busyC])).toEqual(
      {
        node: "c",
      },
    );
  });
});

describe("schedulePod: taints and tolerations", () => {
  const tainted = node("a", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] });
  const draining = node("b", { taints: [{ key: "maintenance", effect: "NoExecute" }] });

  it("a pod tolerating nothing stays off NoSchedule and NoExecute nodes", () => {
    expect(schedulePod(pod(), [tainted, draining])).toEqual({
      unschedulable:
        "0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {maintenance: }. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    });
  });

  it.each([
    [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }, "a"],
    [{ key: "dedicated", operator: "Exists" }, "a"],
    [{ operator: "Exists" }, "a"],
    [{ key: "maintenance", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }, "b"],
  ])("toleration %j admits node %s", (toleration, want) => {
    expect(schedulePod(pod({}, { tolerations: [toleration] }), [tainted, draining])).toEqual({ node: want });
  });

  it("a wrong value or effect does not tolerate", () => {
    const wrong = [
      { key: "dedicated", operator: "Equal", value: "cpu", effect: "NoSchedule" },
      { key: "dedicated", operator: "Exists", effect: "NoExecute" },
    ];
    expect(schedulePod(pod({}, { tolerations: wrong }), [tainted])).toMatchObject({
      unschedulable: expect.any(String),
    });
  });

  it("PreferNoSchedule only steers", () => {
    const soft = node("a", { taints: [{ key: "spot", effect: "PreferNoSchedule" }] });
    const busy = node("b", { requested: { cpuMillis: 1500, memoryBytes: 3 * GiB, pods: 5 } });
    expect(schedulePod(pod(), [soft, busy])).toEqual({ node: "b" });
    expect(schedulePod(pod(), [soft])).toEqual({ node: "a" });
    expect(
      schedulePod(pod({}, { tolerations: [{ key: "spot", operator: "Exists" }] }), [soft, busy]),
    ).toEqual({
      node: "a",
    });
  });
});

describe("schedulePod: pod affinity and anti-affinity", () => {
  const zone = (name: string, z: string) =>
    node(name, { labels: { "kubernetes.io/hostname": name, zone: z } });
  const term = (labels: Record<string, string>, topologyKey = "zone", extra = {}) => ({
    labelSelector: { matchLabels: labels },
    topologyKey,
    ...extra,
  });
  const requiredAffinity = (t: unknown) => ({
    affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } },
  });
  const requiredAnti = (t: unknown) => ({
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } },
  });

  it("required affinity follows the matching pods' topology domain", () => {
    const nodes = [zone("a", "x"), zone("b", "y"), withPods(zone("c", "y"), labelled("db", { app: "db" }))];
    const decision = schedulePod(pod({}, requiredAffinity(term({ app: "db" }))), nodes) as { node: string };
    expect(["b", "c"]).toContain(decision.node);
  });

  it("required affinity with no matching pod is unschedulable, unless the pod matches itself", () => {
    const nodes = [zone("a", "x")];
    expect(schedulePod(pod({}, requiredAffinity(term({ app: "db" }))), nodes)).toEqual({
      unschedulable:
        "0/1 nodes are available: 1 node(s) didn't match pod affinity rules. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    });
    expect(
      schedulePod(labelled("first", { app: "db" }, requiredAffinity(term({ app: "db" }))), nodes),
    ).toEqual({ node: "a" });
  });

  it("a node without the topology key fails required affinity", () => {
    const nodes = [withPods(node("a"), labelled("db", { app: "db" }))];
    expect(schedulePod(pod({}, requiredAffinity(term({ app: "db" }))), nodes)).toMatchObject({
      unschedulable: expect.stringContaining("1 node(s) didn't match pod affinity rules"),
    });
  });

  it("required anti-affinity spreads over hostnames", () => {
    const web = (n: string) => labelled(n, { app: "web" });
    const spec = requiredAnti(term({ app: "web" }, "kubernetes.io/hostname"));
    const nodes = [withPods(zone("a", "x"), web("w1")), zone("b", "x")];
    expect(schedulePod(labelled("w2", { app: "web" }, spec), nodes)).toEqual({ node: "b" });
    expect(schedulePod(labelled("w3", { app: "web" }, spec), [nodes[0] as NodeCandidate])).toMatchObject({
      unschedulable: expect.stringMatching(
        /^0\/1 nodes are available: 1 node\(s\) didn't match pod anti-affinity rules\. preemption: 0\/1 nodes are available: 1 No preemption victims found for incoming pod\.$/,
      ),
    });
  });

  it("an existing pod's anti-affinity keeps matching pods out of its domain", () => {
    const loner = labelled("loner", { app: "loner" }, requiredAnti(term({ app: "web" })));
    const nodes = [withPods(zone("a", "x"), loner), zone("b", "x"), zone("c", "y")];
    expect(schedulePod(labelled("w", { app: "web" }), nodes)).toEqual({ node: "c" });
    expect(schedulePod(labelled("w", { app: "web" }), nodes.slice(0, 2))).toMatchObject({
      unschedulable: expect.stringContaining("2 node(s) didn't satisfy existing pods anti-affinity rules"),
    });
  });

  it("terms look in the pod's own namespace unless namespaces or a namespaceSelector widen them", () => {
    const other = labelled("db", { app: "db" }, {}, "data");
    const nodes = [zone("a", "x"), withPods(zone("b", "y"), other)];
    const inOwn = requiredAffinity(term({ app: "db" }));
    expect(schedulePod(pod({}, inOwn), nodes)).toMatchObject({ unschedulable: expect.any(String) });
    expect(
      schedulePod(pod({}, requiredAffinity(term({ app: "db" }, "zone", { namespaces: ["data"] }))), nodes),
    ).toEqual({
      node: "b",
    });
    const bySelector = requiredAffinity(
      term({ app: "db" }, "zone", { namespaceSelector: { matchLabels: { tier: "data" } } }),
    );
    expect(schedulePod(pod({}, bySelector), nodes, { data: { tier: "data" } })).toEqual({ node: "b" });
    expect(schedulePod(pod({}, bySelector), nodes, { data: {} })).toMatchObject({
      unschedulable: expect.any(String),
    });
    const everywhere = requiredAffinity(term({ app: "db" }, "zone", { namespaceSelector: {} }));
    expect(schedulePod(pod({}, everywhere), nodes)).toEqual({ node: "b" });
  });

  it("preferred affinity attracts and preferred anti-affinity repels", () => {
    const cache = labelled("cache", { app: "cache" });
    const nodes = [zone("a", "x"), withPods(zone("b", "y"), cache)];
    const weighted = (kind: "podAffinity" | "podAntiAffinity") => ({
      affinity: {
        [kind]: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: term({ app: "cache" }) },
          ],
        },
      },
    });
    expect(schedulePod(pod({}, weighted("podAffinity")), nodes)).toEqual({ node: "b" });
    expect(schedulePod(pod({}, weighted("podAntiAffinity")), nodes)).toEqual({ node: "a" });
  });

  it("only sees the pods it is given: another cluster's pods never reach the view", () => {
    // other clusters' pods count in `requested` only, so an anti-affinity term cannot be broken by them
    const busy = node("a", {
      labels: { zone: "x" },
      requested: { cpuMillis: 1000, memoryBytes: 0, pods: 4 },
    });
    expect(schedulePod(labelled("w", { app: "web" }, requiredAnti(term({ app: "web" }))), [busy])).toEqual({
      node: "a",
    });
  });
});

describe("schedulePod: priority and preemption", () => {
  const prio = (name: string, priority: number, cpu: string, extra: Partial<Pod["spec"]> = {}) => {
    const p = pod({ cpu: `${cpu}m` }, { priority, ...extra }, name);
    p.metadata.creationTimestamp = "2024-01-01T00:00:00Z";
    return p;
  };

  it("evicts the fewest lower-priority pods of the node where that suffices", () => {
    const a = withPods(node("a"), prio("a1", 10, "900"), prio("a2", 10, "900"));
    const b = withPods(node("b"), prio("b1", 5, "1500"), prio("b2", 1000, "400"));
    const decision = schedulePod(prio("high", 100, "1000"), [a, b]);
    expect(decision).toMatchObject({
      unschedulable: "0/2 nodes are available: 2 Insufficient cpu.",
      preempt: {
        node: "b",
        victims: [expect.objectContaining({ metadata: expect.objectContaining({ name: "b1" }) })],
      },
    });
  });

  it("puts back the most important pods that need not go", () => {
    const a = withPods(node("a"), prio("low", 1, "600"), prio("mid", 50, "600"), prio("keep", 60, "600"));
    const decision = schedulePod(prio("high", 100, "1000"), [a]) as { preempt: { victims: Pod[] } };
    expect(decision.preempt.victims.map((v) => v.metadata.name).sort()).toEqual(["low", "mid"]);
  });

  it("prefers victims of lower priority over fewer victims", () => {
    const a = withPods(node("a"), prio("a1", 50, "1500"));
    const b = withPods(node("b"), prio("b1", 1, "800"), prio("b2", 1, "800"));
    const decision = schedulePod(prio("high", 100, "1500"), [a, b]) as { preempt: { node: string } };
    expect(decision.preempt.node).toBe("b");
  });

  it("never evicts pods of equal or higher priority", () => {
    const a = withPods(node("a"), prio("same", 100, "1500"));
    expect(schedulePod(prio("high", 100, "1000"), [a])).toEqual({
      unschedulable:
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    });
  });

  it("cannot make room taken by another cluster's pods", () => {
    // 1500m requested by another tenant: they are not in `pods`, so there is nothing to evict
    const a = withPods(
      node("a", { requested: { cpuMillis: 1500, memoryBytes: 0, pods: 1 } }),
      prio("mine", 0, "400"),
    );
    expect(schedulePod(prio("high", 100, "1000"), [a])).toMatchObject({
      unschedulable: expect.stringContaining("No preemption victims found for incoming pod"),
    });
  });

  it("does not preempt for node affinity, taints or when its policy is Never", () => {
    const a = withPods(node("a", { taints: [{ key: "k", effect: "NoSchedule" }] }), prio("low", 0, "1900"));
    expect(schedulePod(prio("high", 100, "1000"), [a])).toMatchObject({
      unschedulable: expect.stringContaining("1 Preemption is not helpful for scheduling."),
    });
    const b = withPods(node("b"), prio("low", 0, "1900"));
    expect(schedulePod(prio("polite", 100, "1000", { preemptionPolicy: "Never" }), [b])).toEqual({
      unschedulable:
        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.",
    });
  });

  it("waits for its victims instead of evicting more", () => {
    const going = prio("low", 0, "1900");
    going.metadata.deletionTimestamp = "2024-01-01T00:01:00Z";
    const high = prio("high", 100, "1000");
    high.status = { nominatedNodeName: "a" };
    expect(schedulePod(high, [withPods(node("a"), going, prio("other", 0, "50"))])).toEqual({
      unschedulable:
        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to a terminating pod on the nominated node.",
      waitingForVictims: true,
    });
  });

  it("room held for a nominated pod is not given to a pod of lower priority", () => {
    const held = node("a", {
      nominated: [{ uid: "u-high", priority: 100, requests: { cpuMillis: 1500, memoryBytes: 0 } }],
    });
    expect(schedulePod(prio("low", 0, "1000"), [held])).toMatchObject({
      unschedulable: expect.stringMatching(/^0\/1 nodes are available: 1 Insufficient cpu\./),
    });
    expect(schedulePod(prio("higher", 200, "1000"), [held])).toEqual({ node: "a" });
    const itself = prio("high", 100, "1500");
    itself.metadata.uid = "u-high";
    expect(schedulePod(itself, [held])).toEqual({ node: "a" });
  });

  it("evicting to break an anti-affinity conflict", () => {
    const anti = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" },
          ],
        },
      },
    };
    const low = prio("low", 0, "100");
    low.metadata.labels = { app: "web" };
    const high = prio("high", 100, "100", anti);
    high.metadata.labels = { app: "web" };
    expect(schedulePod(high, [withPods(node("a"), low)])).toMatchObject({
      preempt: { node: "a", victims: [low] },
    });
  });
});
