import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

/** Nodes are shared by every cluster: what one cluster does to a node stays in that cluster's view. */
describe("cordon, drain and label through the real kubectl", () => {
  let platform: TestPlatform;
  let alice: string;
  let bob: string;
  let node: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    alice = (await platform.createCluster("nodes-alice")).kubeconfig;
    bob = (await platform.createCluster("nodes-bob")).kubeconfig;
    node = `node/${platform.nodeName}`;
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const phases = async (config: string, selector: string) =>
    (
      JSON.parse((await kubectl(config, ["get", "pods", "-l", selector, "-o", "json"])).stdout).items as {
        status: { phase: string; conditions?: { message?: string }[] };
      }[]
    ).map((p) => p.status);

  it("drains a node for one cluster: its pods are evicted and wait, another cluster's are not", async () => {
    expect(
      (await kubectl(alice, ["create", "deployment", "web", "--image=nginx", "--replicas=2"])).code,
    ).toBe(0);
    expect((await kubectl(alice, ["rollout", "status", "deployment/web", "--timeout=90s"])).code).toBe(0);
    expect((await kubectl(alice, ["cordon", node])).stdout).toBe(`${node} cordoned\n`);
    expect((await kubectl(alice, ["get", node])).stdout).toContain("Ready,SchedulingDisabled");
    expect((await kubectl(bob, ["get", node])).stdout).not.toContain("SchedulingDisabled");

    const drained = await kubectl(alice, ["drain", node, "--ignore-daemonsets", "--timeout=60s"], {
      timeoutMs: 90_000,
    });
    expect(drained.stdout).toContain(`${node} drained`);
    const pending = await eventually(
      async () => {
        const s = await phases(alice, "app=web");
        return s.length === 2 && s.every((p) => p.phase === "Pending") ? s : undefined;
      },
      30_000,
      "the replacement pods pending",
    );
    expect(pending[0]?.conditions?.[0]?.message).toBe(
      "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    );

    expect((await kubectl(bob, ["run", "elsewhere", "--image=nginx"])).code).toBe(0);
    expect(
      (await kubectl(bob, ["wait", "--for=condition=Ready", "pod/elsewhere", "--timeout=60s"])).code,
    ).toBe(0);

    expect((await kubectl(alice, ["uncordon", node])).stdout).toBe(`${node} uncordoned\n`);
    expect((await kubectl(alice, ["rollout", "status", "deployment/web", "--timeout=90s"])).code).toBe(0);
  });

  it("labels a node in one cluster's view only", async () => {
    expect((await kubectl(alice, ["label", node, "disk=ssd"])).code).toBe(0);
    expect((await kubectl(alice, ["get", "nodes", "-l", "disk=ssd", "-o", "name"])).stdout).toBe(`${node}\n`);
    expect((await kubectl(bob, ["get", "nodes", "-l", "disk=ssd", "-o", "name"])).stdout).toBe("");
    // and the scheduler reads the cluster's view: a nodeSelector on the label places the pod
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "on-ssd" },
      spec: { nodeSelector: { disk: "ssd" }, containers: [{ name: "c", image: "nginx" }] },
    };
    expect((await kubectl(alice, ["apply", "-f", "-"], { input: JSON.stringify(pod) })).code).toBe(0);
    expect(
      (await kubectl(alice, ["wait", "--for=condition=Ready", "pod/on-ssd", "--timeout=60s"])).code,
    ).toBe(0);
    expect((await kubectl(bob, ["apply", "-f", "-"], { input: JSON.stringify(pod) })).code).toBe(0);
    const waiting = await eventually(async () => {
      const r = await kubectl(bob, [
        "get",
        "pod",
        "on-ssd",
        "-o",
        "jsonpath={.status.conditions[0].message}",
      ]);
      return r.stdout || undefined;
    }, 20_000);
    expect(waiting).toBe(
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    );
  });
});
