import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

interface PodJson {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName?: string; priority?: number; priorityClassName?: string; preemptionPolicy?: string };
  status: {
    phase: string;
    nominatedNodeName?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

const TAINT = "timonier.dev/dedicated=teachers:NoSchedule";
const TOLERATE = [
  { key: "timonier.dev/dedicated", operator: "Equal", value: "teachers", effect: "NoSchedule" },
];

function pod(name: string, spec: Record<string, unknown> = {}, cpu?: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "main",
          image: "busybox",
          command: ["sleep", "3600"],
          ...(cpu ? { resources: { requests: { cpu } } } : {}),
        },
      ],
      ...spec,
    },
  };
}

/** One node (the platform's), tainted and labelled through the agent's environment, as an operator would. */
describe("scheduling constraints through the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform({
      nodeLabels: "topology.kubernetes.io/zone=lab-1",
      nodeTaints: TAINT,
    });
    kubeconfig = (await platform.createCluster("sched")).kubeconfig;
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 60_000 });
  const apply = (obj: unknown) => kubectl(kubeconfig, ["apply", "-f", "-"], { input: JSON.stringify(obj) });
  const getPod = async (name: string) => {
    const r = await k("get", "pod", name, "-o", "json");
    return r.code === 0 ? (JSON.parse(r.stdout) as PodJson) : undefined;
  };
  const unschedulable = (name: string) =>
    eventually(async () => {
      const c = (await getPod(name))?.status.conditions?.find((x) => x.type === "PodScheduled");
      return c?.status === "False" ? c : undefined;
    }, 20_000);
  const failedScheduling = async (name: string) =>
    JSON.parse(
      (
        await k(
          "get",
          "events",
          "--field-selector",
          `involvedObject.name=${name},reason=FailedScheduling`,
          "-o",
          "json",
        )
      ).stdout,
    ).items.map((e: { message: string }) => e.message) as string[];

  it("shows the operator's labels and taints on the Node", async () => {
    const node = JSON.parse((await k("get", "node", platform.nodeName, "-o", "json")).stdout);
    expect(node.spec.taints).toEqual([
      { key: "timonier.dev/dedicated", value: "teachers", effect: "NoSchedule" },
    ]);
    expect(node.metadata.labels["topology.kubernetes.io/zone"]).toBe("lab-1");
    const described = (await k("describe", "node", platform.nodeName)).stdout;
    expect(described).toMatch(/Taints:\s+timonier\.dev\/dedicated=teachers:NoSchedule\n/);
    expect(described).toContain("topology.kubernetes.io/zone=lab-1");
  });

  it("lets a cluster add taints to its own view of the node but not lift the platform's", async () => {
    const taints = async () =>
      JSON.parse((await k("get", "node", platform.nodeName, "-o", "json")).stdout).spec.taints;
    expect((await k("taint", "node", platform.nodeName, "exam=on:NoSchedule")).code).toBe(0);
    expect(await taints()).toEqual([
      { key: "timonier.dev/dedicated", value: "teachers", effect: "NoSchedule" },
      { key: "exam", value: "on", effect: "NoSchedule" },
    ]);
    expect((await k("taint", "node", platform.nodeName, "exam-", "timonier.dev/dedicated-")).code).toBe(0);
    expect(await taints()).toEqual([
      { key: "timonier.dev/dedicated", value: "teachers", effect: "NoSchedule" },
    ]);
  });

  it("leaves a pod that tolerates nothing Pending on the tainted node", async () => {
    expect((await apply(pod("intolerant"))).code).toBe(0);
    const message =
      "0/1 nodes are available: 1 node(s) had untolerated taint {timonier.dev/dedicated: teachers}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    expect(await unschedulable("intolerant")).toMatchObject({ reason: "Unschedulable", message });
    expect(await eventually(async () => (await failedScheduling("intolerant"))[0])).toBe(message);
    expect((await getPod("intolerant"))?.status.phase).toBe("Pending");
  });

  it("leaves a pod whose node affinity nothing satisfies Pending, with kube's message and event", async () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["lab-9"] }] },
          ],
        },
      },
    };
    expect((await apply(pod("far-away", { affinity, tolerations: TOLERATE }))).code).toBe(0);
    const message =
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    expect(await unschedulable("far-away")).toMatchObject({ reason: "Unschedulable", message });
    expect(await eventually(async () => (await failedScheduling("far-away"))[0])).toBe(message);
    const described = (await k("describe", "pod", "far-away")).stdout;
    expect(described).toMatch(/Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/1 nodes are available/);
  });

  it("refuses a pod of an unknown PriorityClass and serves the built-in ones", async () => {
    const refused = await apply(pod("nameless", { priorityClassName: "nope", tolerations: TOLERATE }));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'pods "nameless" is forbidden: no PriorityClass with name nope was found',
    );
    const classes = (await k("get", "priorityclasses")).stdout;
    expect(classes).toMatch(/^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\n/);
    expect(classes).toMatch(/system-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority/);
    expect(classes).toMatch(/system-node-critical\s+2000001000\s+false/);
  });

  it("preempts a low-priority pod when a high-priority one finds the node full", async () => {
    const node = JSON.parse((await k("get", "node", platform.nodeName, "-o", "json")).stdout);
    const cores = Number.parseInt(node.status.allocatable.cpu, 10);
    // the low pod takes most of the node, so the high one (more than what is left) fits only once it is gone
    const [low, high] = [`${cores * 1000 - 200}m`, `${cores * 500}m`];
    const classes = [
      { name: "low", value: 10 },
      { name: "high", value: 1000 },
    ];
    for (const { name, value } of classes)
      expect(
        (
          await apply({
            apiVersion: "scheduling.k8s.io/v1",
            kind: "PriorityClass",
            metadata: { name },
            value,
          })
        ).code,
      ).toBe(0);
    expect((await apply(pod("humble", { priorityClassName: "low", tolerations: TOLERATE }, low))).code).toBe(
      0,
    );
    const victim = await eventually(async () => {
      const p = await getPod("humble");
      return p?.status.phase === "Running" ? p : undefined;
    }, 60_000);
    expect(victim.spec).toMatchObject({
      priority: 10,
      priorityClassName: "low",
      preemptionPolicy: "PreemptLowerPriority",
    });

    expect(
      (await apply(pod("urgent", { priorityClassName: "high", tolerations: TOLERATE }, high))).code,
    ).toBe(0);
    const nominated = await eventually(
      async () => (await getPod("urgent"))?.status.nominatedNodeName,
      20_000,
    );
    expect(nominated).toBe(platform.nodeName);
    const urgent = await eventually(async () => {
      const p = await getPod("urgent");
      return p?.spec.nodeName ? p : undefined;
    }, 60_000);
    expect(urgent.spec.priority).toBe(1000);
    expect(await getPod("humble")).toBeUndefined();
    const preempted = JSON.parse(
      (
        await k(
          "get",
          "events",
          "--field-selector",
          "involvedObject.name=humble,reason=Preempted",
          "-o",
          "json",
        )
      ).stdout,
    ).items;
    expect(preempted[0]?.message).toBe(
      `Preempted by pod ${urgent.metadata.uid} on node ${platform.nodeName}`,
    );
    await eventually(
      async () => ((await getPod("urgent"))?.status.phase === "Running" ? true : undefined),
      60_000,
    );
  });

  it("never preempts another cluster's pods: tenants share nodes only through resource accounting", async () => {
    const other = (await platform.createCluster("sched-other")).kubeconfig;
    const ko = (...args: string[]) => kubectl(other, args, { timeoutMs: 60_000 });
    const applyOther = (obj: unknown) => kubectl(other, ["apply", "-f", "-"], { input: JSON.stringify(obj) });
    const pc = (name: string, value: number) => ({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name },
      value,
      globalDefault: true,
    });
    expect((await applyOther(pc("everyone", 1_000_000))).code).toBe(0);
    const second = await applyOther(pc("everyone-else", 5));
    expect(second.stderr).toContain(
      'priorityclasses.scheduling.k8s.io "everyone-else" is forbidden: PriorityClass everyone is already marked as default. Only one default can exist',
    );
    const node = JSON.parse((await ko("get", "node", platform.nodeName, "-o", "json")).stdout);
    const cpu = `${Number.parseInt(node.status.allocatable.cpu, 10) * 1000 - 100}m`;
    expect((await applyOther(pod("greedy", { tolerations: TOLERATE }, cpu))).code).toBe(0);
    const message =
      "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";
    const condition = await eventually(async () => {
      const p = JSON.parse((await ko("get", "pod", "greedy", "-o", "json")).stdout) as PodJson;
      expect(p.spec).toMatchObject({ priorityClassName: "everyone", priority: 1_000_000 });
      const c = p.status.conditions?.find((x) => x.type === "PodScheduled");
      return c?.status === "False" ? c : undefined;
    }, 20_000);
    expect(condition.message).toBe(message);
    expect((await getPod("urgent"))?.metadata.deletionTimestamp).toBeUndefined();
  });

  it("refuses bad tolerations and affinity with kube-apiserver's field errors", async () => {
    const bad = pod("bad", {
      tolerations: [{ key: "k", operator: "Exists", value: "v" }],
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
      },
    });
    const r = await apply(bad);
    expect(r.stderr).toContain(
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term",
    );
    expect(r.stderr).toContain(
      "spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
    );
  });
});
