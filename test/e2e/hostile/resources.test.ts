import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerFromHost } from "../../../workers/node-agent/docker-runtime";
import { LABEL } from "../../../workers/node-agent/runtime";
import { eventually } from "../../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../../support/platform";
import { studentPods } from "../../support/pods";

const docker = dockerFromHost(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const Mi = 1024 * 1024;

interface Terminated {
  exitCode: number;
  reason?: string;
}

interface PodJson {
  spec: { containers: { resources?: unknown }[] };
  status: {
    phase?: string;
    qosClass?: string;
    containerStatuses?: {
      state: { terminated?: Terminated; running?: unknown };
      lastState: { terminated?: Terminated };
    }[];
  };
}

/**
 * A student's pod that sets no limits and tries to take the machine: the node agent runs every container
 * with the platform's defaults (256Mi, 1 CPU, 512 pids) and without privilege escalation, so a process
 * flood stops at the pids limit and a memory hog is OOMKilled as the kubelet reports it. Every probe is
 * bounded, and the flood is removed as soon as it is measured.
 */
describe("hostile student: containers without limits", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kubeconfig = (await platform.createCluster("hostile-resources")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const { k, apply, get, running } = studentPods<PodJson>(() => kubeconfig);
  const remove = async (...names: string[]) => {
    await k("delete", "pod", ...names, "--grace-period=1", "--wait=false");
    await eventually(
      async () => ((await k("get", "pod", ...names)).code !== 0 ? true : undefined),
      60_000,
      `${names.join(", ")} gone`,
    );
  };
  /** The Docker container of one of this platform's pods, by pod and container name. */
  const inspect = async (pod: string, container: string) => {
    const [found] = await docker.listContainers({
      all: true,
      filters: {
        label: [
          `${LABEL.node}=${platform.nodeName}`,
          `${LABEL.pod}=${pod}`,
          `${LABEL.container}=${container}`,
        ],
      },
    });
    if (!found) throw new Error(`no container ${container} of pod ${pod}`);
    return docker.getContainer(found.Id).inspect();
  };

  it("runs an app and an init container without limits at the defaults, without new privileges", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: { name: plain }
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
  - { name: init, image: busybox, command: ["true"] }
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "grep NoNewPrivs /proc/self/status; trap 'exit 0' TERM; sleep 3600 & wait"]
---
apiVersion: v1
kind: Pod
metadata: { name: explicit }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "grep NoNewPrivs /proc/self/status; trap 'exit 0' TERM; sleep 3600 & wait"]
    resources: { limits: { memory: 64Mi, cpu: 500m } }
    securityContext: { allowPrivilegeEscalation: true }
`);
    await running("plain");
    await running("explicit");
    for (const container of ["app", "init"]) {
      const { HostConfig } = await inspect("plain", container);
      expect(HostConfig.Memory).toBe(256 * Mi);
      expect(HostConfig.MemorySwap).toBe(256 * Mi);
      expect(HostConfig.NanoCpus).toBe(1_000_000_000);
      expect(HostConfig.PidsLimit).toBe(512);
      expect(HostConfig.SecurityOpt).toContain("no-new-privileges");
      // Docker's default seccomp profile stays
      expect(HostConfig.SecurityOpt?.some((o: string) => o.startsWith("seccomp"))).toBe(false);
      expect(HostConfig.Privileged).toBe(false);
    }
    const pause = (await inspect("plain", "POD")).HostConfig;
    expect(pause.Memory).toBe(32 * Mi);
    expect(pause.PidsLimit).toBe(32);
    // the pod stays as written: no limits appear in it, and it stays BestEffort
    const plain = await get("plain");
    expect(plain.spec.containers[0]?.resources).toEqual({});
    expect(plain.status.qosClass).toBe("BestEffort");

    const explicit = (await inspect("explicit", "app")).HostConfig;
    expect(explicit.Memory).toBe(64 * Mi);
    expect(explicit.NanoCpus).toBe(500_000_000);
    expect(explicit.PidsLimit).toBe(512);
    expect(explicit.SecurityOpt ?? []).not.toContain("no-new-privileges");
    const log = (name: string) =>
      eventually(async () => (await k("logs", name)).stdout || undefined, 30_000, `${name} logs`);
    expect(await log("plain")).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(await log("explicit")).toMatch(/^NoNewPrivs:\s+0$/m);

    // the platform's own helpers keep their own settings (the cluster's netd starts before its pods)
    const [netd] = await docker.listContainers({
      filters: { label: [`${LABEL.node}=${platform.nodeName}`, `${LABEL.role}=netd`] },
    });
    if (!netd) throw new Error("no netd for the cluster");
    const helper = (await docker.getContainer(netd.Id).inspect()).HostConfig;
    expect(helper.Memory).toBe(128 * Mi);
    expect(helper.SecurityOpt ?? []).not.toContain("no-new-privileges");
    expect(helper.PidsLimit ?? 0).toBeLessThanOrEqual(0);
    await remove("plain", "explicit");
  });

  it("stops a process flood at the pids limit, the pod still answering", async () => {
    // the flood runs in a subshell, which dies at its first failed fork; the pod's shell lives on
    const script =
      "trap 'exit 0' TERM; sleep 3600 & (for i in $(seq 1 2000); do sleep 300 & done 2>/dev/null); echo flood ended; wait";
    await apply(`
apiVersion: v1
kind: Pod
metadata: { name: flood }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - { name: app, image: busybox, command: ["sh", "-c", ${JSON.stringify(script)}] }
`);
    try {
      await running("flood");
      await eventually(
        async () => ((await k("logs", "flood")).stdout.includes("flood ended") ? true : undefined),
        60_000,
        "the flood to end",
      );
      // read from the engine, not from inside: a full pids cgroup refuses the fork of an exec
      const { Id } = await inspect("flood", "app");
      const stats = (await docker.getContainer(Id).stats({ stream: false })) as unknown as {
        pids_stats: { current: number; limit?: number };
      };
      const { current, limit } = stats.pids_stats;
      // the cgroup's own pids.max when the engine reports it (cgroup v2), else what it was told
      expect(limit ?? (await inspect("flood", "app")).HostConfig.PidsLimit).toBe(512);
      expect(current).toBeLessThanOrEqual(512);
      // it did reach the limit: most of the 2000 sleeps were refused, not never tried
      expect(current).toBeGreaterThan(400);
      expect((await get("flood")).status.phase).toBe("Running");
    } finally {
      await remove("flood");
    }
  });

  it("OOMKills a container that allocates 1 GiB past the default memory limit", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: { name: hog }
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: perl
    command: ["perl", "-e", "$x = 'x' x (1024*1024*1024); sleep 60"]
`);
    const terminated = await eventually(
      async () => (await get("hog")).status.containerStatuses?.[0]?.state.terminated,
      60_000,
      "hog terminated",
    );
    expect(terminated.reason).toBe("OOMKilled");
    expect(terminated.exitCode).toBe(137);
    expect((await get("hog")).status.phase).toBe("Failed");
    expect((await k("get", "pod", "hog")).stdout).toMatch(/hog\s+0\/1\s+OOMKilled/);
  });
});
