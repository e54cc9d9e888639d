import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../../support/platform";
import { studentPods } from "../../support/pods";

interface PodJson {
  metadata: { uid: string };
  status: {
    phase?: string;
    reason?: string;
    message?: string;
    containerStatuses?: {
      state: {
        waiting?: { reason?: string; message?: string };
        terminated?: { exitCode: number };
        running?: unknown;
      };
    }[];
  };
}

/**
 * A student's pod asking for less than root, or trying to take more than its share: the node agent
 * applies securityContext as the kubelet does, refuses runAsNonRoot for a root image in the kubelet's
 * words, evicts a pod over its emptyDir's sizeLimit and caps a memory emptyDir. Every probe is bounded.
 */
describe("hostile student: securityContext and emptyDir limits", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    // emptyDirs are measured on the metrics period: a short one keeps the eviction probe quick
    platform = await startTestPlatform({ metricsSeconds: 2 });
    kubeconfig = (await platform.createCluster("hostile-securitycontext")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const { k, apply, get, running } = studentPods<PodJson>(() => kubeconfig);
  const exec = (name: string, ...command: string[]) => k("exec", name, "--", ...command);
  /** A pod of one busybox container running `script` then sleeping, with its securityContexts. */
  const pod = (name: string, spec: { pod?: string; container?: string; script: string; extra?: string }) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  terminationGracePeriodSeconds: 1
  ${spec.pod ? `securityContext: ${spec.pod}` : ""}
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", ${JSON.stringify(`${spec.script}; trap 'exit 0' TERM; sleep 3600 & wait`)}]
    ${spec.container ? `securityContext: ${spec.container}` : ""}
${spec.extra ?? ""}`;

  it("runs as runAsUser and runAsGroup, with the supplemental groups, in an emptyDir any user may write", async () => {
    await apply(
      pod("ids", {
        pod: "{ runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000] }",
        script: "true",
        extra: `    volumeMounts: [{ name: scratch, mountPath: /scratch }]
  volumes: [{ name: scratch, emptyDir: {} }]`,
      }),
    );
    await running("ids");
    const id = await exec("ids", "id");
    expect(id.stdout).toMatch(/^uid=1000 gid=3000 groups=.*\b4000\b/);
    expect((await exec("ids", "touch", "/scratch/mine")).code).toBe(0);
    expect((await exec("ids", "stat", "-c", "%u %g", "/scratch/mine")).stdout).toBe("1000 3000\n");
  });

  it("refuses runAsNonRoot for the root busybox image with the kubelet's reason and message", async () => {
    await apply(pod("nonroot", { pod: "{ runAsNonRoot: true }", script: "id" }));
    const uid = (await get("nonroot")).metadata.uid;
    const waiting = await eventually(
      async () => {
        const state = (await get("nonroot")).status.containerStatuses?.[0]?.state.waiting;
        return state?.reason === "CreateContainerConfigError" ? state : undefined;
      },
      60_000,
      "CreateContainerConfigError",
    );
    const message = `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${uid})", container: app)`;
    expect(waiting.message).toBe(message);
    expect((await get("nonroot")).status.phase).toBe("Pending");
    expect((await k("get", "pod", "nonroot")).stdout).toMatch(/nonroot\s+0\/1\s+CreateContainerConfigError/);
    const events = await eventually(async () => {
      const out = (await k("get", "events", "--field-selector", "reason=Failed", "-o", "json")).stdout;
      const items = JSON.parse(out).items as { message: string }[];
      return items.length ? items : undefined;
    });
    expect(events[0]?.message).toBe(`Error: ${message}`);
    // runAsUser lifts it: the container's own setting overrides the pod's
    await apply(
      pod("nonroot-user", {
        pod: "{ runAsNonRoot: true }",
        container: "{ runAsUser: 1000 }",
        script: "true",
      }),
    );
    await running("nonroot-user");
  });

  it("makes the root filesystem read-only, emptyDirs still writable", async () => {
    await apply(
      pod("readonly", {
        container: "{ readOnlyRootFilesystem: true }",
        script: "true",
        extra: `    volumeMounts: [{ name: tmp, mountPath: /tmp }]
  volumes: [{ name: tmp, emptyDir: {} }]`,
      }),
    );
    await running("readonly");
    const touched = await exec("readonly", "touch", "/x");
    expect(touched.code).not.toBe(0);
    expect(touched.stderr).toMatch(/Read-only file system/);
    expect((await exec("readonly", "touch", "/tmp/x")).code).toBe(0);
  });

  it("sets no_new_privs unless privilege escalation is allowed, and drops every capability with drop ALL", async () => {
    const script = "grep -E '^(NoNewPrivs|CapEff)' /proc/self/status";
    await apply(pod("nnp", { container: "{ allowPrivilegeEscalation: false }", script }));
    await apply(pod("escalate", { container: "{ allowPrivilegeEscalation: true }", script }));
    await apply(pod("nocaps", { container: "{ capabilities: { drop: [ALL] } }", script }));
    await apply(pod("plain", { script }));
    const log = (name: string) =>
      eventually(async () => (await k("logs", name)).stdout || undefined, 60_000, `${name} logs`);
    expect(await log("nnp")).toMatch(/^NoNewPrivs:\s+1$/m);
    // the platform's default, stricter than the kubelet's: escalation only when the container asks for it
    expect(await log("plain")).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(await log("escalate")).toMatch(/^NoNewPrivs:\s+0$/m);
    expect(await log("nocaps")).toMatch(/^CapEff:\s+0000000000000000$/m);
    expect(await log("plain")).not.toMatch(/^CapEff:\s+0000000000000000$/m);
  });

  it("gives the fsGroup an emptyDir a non-root user writes to, and the secret files it reads", async () => {
    await k("create", "secret", "generic", "db", "--from-literal=password=s3cret");
    await apply(
      pod("fsgroup", {
        pod: "{ runAsUser: 1000, fsGroup: 2000 }",
        script: "true",
        extra: `    volumeMounts:
    - { name: data, mountPath: /data }
    - { name: creds, mountPath: /etc/creds }
  volumes:
  - { name: data, emptyDir: {} }
  - { name: creds, secret: { secretName: db, defaultMode: 0400 } }`,
      }),
    );
    await running("fsgroup");
    expect((await exec("fsgroup", "id", "-G")).stdout).toMatch(/\b2000\b/);
    expect((await exec("fsgroup", "sh", "-c", "echo hi > /data/note")).code).toBe(0);
    expect((await exec("fsgroup", "stat", "-c", "%a %g", "/data", "/data/note")).stdout).toBe(
      "2777 2000\n644 2000\n",
    );
    expect((await exec("fsgroup", "cat", "/etc/creds/password")).stdout).toBe("s3cret");
    expect((await exec("fsgroup", "stat", "-L", "-c", "%a %g", "/etc/creds/password")).stdout).toBe(
      "440 2000\n",
    );
  });

  it("evicts a pod whose emptyDir outgrows its sizeLimit, as the kubelet does", async () => {
    await apply(
      pod("hog", {
        script: "dd if=/dev/zero of=/data/fill bs=1M count=24",
        extra: `    volumeMounts: [{ name: scratch, mountPath: /data }]
  volumes: [{ name: scratch, emptyDir: { sizeLimit: 10Mi } }]`,
      }),
    );
    const evicted = await eventually(
      async () => {
        const status = (await get("hog")).status;
        return status.phase === "Failed" ? status : undefined;
      },
      60_000,
      "hog evicted",
    );
    expect(evicted.reason).toBe("Evicted");
    expect(evicted.message).toBe('Usage of EmptyDir volume "scratch" exceeds the limit "10Mi". ');
    // Failed as the kill starts, then its container terminated
    await eventually(
      async () => ((await get("hog")).status.containerStatuses?.[0]?.state.terminated ? true : undefined),
      30_000,
      "hog's container terminated",
    );
    const events = JSON.parse(
      (await k("get", "events", "--field-selector", "reason=Evicted,involvedObject.name=hog", "-o", "json"))
        .stdout,
    ).items as { type: string; message: string }[];
    expect(events.map((e) => [e.type, e.message])).toEqual([["Warning", evicted.message]]);
    // it stays down: a Failed pod is not restarted
    await new Promise((r) => setTimeout(r, 3000));
    expect((await get("hog")).status.containerStatuses?.[0]?.state.running).toBeUndefined();
  });

  it("caps a memory emptyDir asking for 200Gi at the platform's maximum, or the pod's memory limit", async () => {
    const memoryPod = (name: string, limits: string) =>
      pod(name, {
        script: "true",
        extra: `    ${limits}
    volumeMounts: [{ name: cache, mountPath: /cache }]
  volumes: [{ name: cache, emptyDir: { medium: Memory, sizeLimit: 200Gi } }]`,
      });
    await apply(memoryPod("ram", ""));
    await apply(memoryPod("ram-limited", "resources: { limits: { memory: 64Mi } }"));
    await running("ram");
    await running("ram-limited");
    const size = async (name: string) =>
      (await exec(name, "sh", "-c", "df -k /cache | tail -1 | awk '{print $2}'")).stdout.trim();
    expect(await size("ram")).toBe(String(512 * 1024));
    expect(await size("ram-limited")).toBe(String(64 * 1024));
  });
});
