import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatIp, parseIp } from "../../core/network/cidr";
import { isPodAddress } from "../../core/network/cluster-network";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { LABEL } from "../../workers/node-agent/runtime";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    startTime?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean; started?: boolean; state: { running?: object } }[];
  };
}

/** The control plane on a node whose pods are simulated: no Docker container is ever made for them. */
describe("a simulated node", () => {
  let platform: TestPlatform;
  let kubeconfig: string;
  let podRange: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ simulated: true });
    const cluster = await platform.createCluster("sim");
    kubeconfig = cluster.kubeconfig;
    // the lower half of the cluster's block (a /23 by default), below the Service range `kubernetes` opens
    const kubernetesIp = (await k("get", "svc", "kubernetes", "-o", "jsonpath={.spec.clusterIP}")).stdout;
    podRange = `${formatIp((parseIp(kubernetesIp) ?? 0) - 1 - 256)}/24`;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 120_000 });
  const pods = async (selector: string) =>
    (JSON.parse((await k("get", "pods", "-l", selector, "-o", "json")).stdout) as { items: PodJson[] }).items;

  it("is a Ready node of the cluster", async () => {
    await eventually(async () => {
      const out = (await k("get", "nodes", "--no-headers")).stdout;
      return new RegExp(`^${platform.nodeName}\\s+Ready\\s`).test(out) ? true : undefined;
    }, 30_000);
  });

  it("runs a Deployment's pods to Available, as a kubelet reports them", async () => {
    expect((await k("create", "deployment", "web", "--image=nginx:1.25", "--replicas=3")).code).toBe(0);
    expect((await k("rollout", "status", "deployment/web", "--timeout=90s")).stdout).toContain(
      "successfully rolled out",
    );
    const available = (await k("get", "deployment", "web", "-o", "jsonpath={.status.conditions}")).stdout;
    expect(JSON.parse(available)).toContainEqual(
      expect.objectContaining({ type: "Available", status: "True" }),
    );
    const running = await pods("app=web");
    expect(running).toHaveLength(3);
    for (const pod of running) {
      expect(pod.spec.nodeName).toBe(platform.nodeName);
      expect(pod.status.phase).toBe("Running");
      expect(isPodAddress(podRange, pod.status.podIP ?? "")).toBe(true);
      expect(pod.status.hostIP).toBe("127.0.0.1");
      expect(pod.status.startTime).toBeTruthy();
      for (const type of ["PodScheduled", "Initialized", "ContainersReady", "Ready"])
        expect(pod.status.conditions).toContainEqual(expect.objectContaining({ type, status: "True" }));
      expect(pod.status.containerStatuses).toEqual([
        expect.objectContaining({ name: "nginx", ready: true, state: { running: expect.anything() } }),
      ]);
    }
    expect(new Set(running.map((p) => p.status.podIP)).size).toBe(3);
  });

  it("stops and removes a deleted pod, which its ReplicaSet replaces", async () => {
    const [victim] = await pods("app=web");
    const name = victim?.metadata.name ?? "";
    expect((await k("delete", "pod", name, "--wait=true", "--timeout=60s")).code).toBe(0);
    expect((await k("get", "pod", name)).stderr).toContain("NotFound");
    expect((await k("rollout", "status", "deployment/web", "--timeout=90s")).code).toBe(0);
    await eventually(async () => {
      const now = await pods("app=web");
      const live = now.filter((p) => !p.metadata.deletionTimestamp && p.status.phase === "Running");
      return live.length === 3 && !now.some((p) => p.metadata.name === name) ? true : undefined;
    }, 60_000);
  });

  it("completes a Job whose container is told to exit", async () => {
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "once" },
      spec: {
        template: {
          spec: {
            restartPolicy: "Never",
            containers: [
              { name: "main", image: "busybox", env: [{ name: "TIMONIER_SIMULATED_EXIT", value: "0" }] },
            ],
          },
        },
      },
    };
    expect((await kubectl(kubeconfig, ["apply", "-f", "-"], { input: JSON.stringify(job) })).code).toBe(0);
    expect((await k("wait", "--for=condition=complete", "job/once", "--timeout=60s")).code).toBe(0);
    const [pod] = await pods("job-name=once");
    expect(pod?.status.phase).toBe("Succeeded");
  });

  it("makes no Docker container", async () => {
    const docker = dockerFromHost(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
    const held = await docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.node}=${platform.nodeName}`] },
    });
    expect(held).toEqual([]);
  });

  it("registers another simulated node through the management API, whose agent makes it Ready", async () => {
    const res = await platform.admin("POST", "/v1/nodes", {
      name: `${platform.nodeName}-b`,
      dockerHost: "simulated://",
      address: "192.0.2.60",
    });
    expect(res.status).toBe(201);
    await eventually(async () => {
      const out = (await k("get", "nodes", "--no-headers")).stdout;
      return new RegExp(`^${platform.nodeName}-b\\s+Ready\\s`, "m").test(out) ? true : undefined;
    }, 30_000);
  });
});
