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

  it("keeps a drain within a PodDisruptionBudget", async () => {
    const created = await kubectl(alice, [
      "create",
      "poddisruptionbudget",
      "web",
      "--selector=app=web",
      "--min-available=2",
    ]);
    expect(created.stdout).toBe("poddisruptionbudget.policy/web created\n");
    const allowed = () =>
      kubectl(alice, [
        "get",
        "pdb",
        "web",
        "-o",
        "jsonpath={.status.disruptionsAllowed}/{.status.currentHealthy}",
      ]);
    await eventually(
      async () => ((await allowed()).stdout === "0/2" ? true : undefined),
      30_000,
      "the budget's status",
    );
    expect((await kubectl(alice, ["get", "pdb"])).stdout).toMatch(
      /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb\s+2\s+N\/A\s+0\s+/,
    );
    const refused = await kubectl(alice, ["drain", node, "--ignore-daemonsets", "--timeout=7s"], {
      timeoutMs: 60_000,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    expect((await kubectl(alice, ["uncordon", node])).code).toBe(0);
    expect((await phases(alice, "app=web")).map((p) => p.phase)).toEqual(["Running", "Running"]);

    // one disruption allowed: the first eviction spends it at once, a second is refused
    await kubectl(alice, ["patch", "pdb", "web", "--type=merge", "-p", '{"spec":{"minAvailable":1}}']);
    await eventually(
      async () => ((await allowed()).stdout === "1/2" ? true : undefined),
      30_000,
      "one disruption",
    );
    const pods = (await kubectl(alice, ["get", "pods", "-l", "app=web", "-o", "name"])).stdout
      .trim()
      .split("\n");
    const evict = (pod: string) =>
      kubectl(
        alice,
        ["create", "--raw", `/api/v1/namespaces/default/pods/${pod.replace("pod/", "")}/eviction`, "-f", "-"],
        {
          input: JSON.stringify({
            apiVersion: "policy/v1",
            kind: "Eviction",
            metadata: { name: pod.replace("pod/", "") },
          }),
        },
      );
    const first = await evict(pods[0] as string);
    expect(first.code, first.stderr).toBe(0);
    const second = await evict(pods[1] as string);
    expect(second.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
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
