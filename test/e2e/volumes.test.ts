import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { LABEL } from "../../workers/node-agent/runtime";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const docker = dockerFromHost(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");

describe("pod volumes through the real kubectl", () => {
  let platform: TestPlatform;
  let alice: { id: string; kubeconfig: string };
  let bob: { id: string; kubeconfig: string };

  beforeAll(async () => {
    platform = await startTestPlatform();
    [alice, bob] = await Promise.all([platform.createCluster("alice"), platform.createCluster("bob")]);
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(alice.kubeconfig, args);
  const apply = async (kubeconfig: string, manifest: string) => {
    const out = await kubectl(kubeconfig, ["apply", "-f", "-"], { input: manifest });
    expect(out.stderr).toBe("");
  };
  const running = (kubeconfig: string, pod: string) =>
    eventually(
      async () => {
        const phase = (await kubectl(kubeconfig, ["get", "pod", pod, "-o", "jsonpath={.status.phase}"]))
          .stdout;
        return phase === "Running" ? true : undefined;
      },
      60_000,
      `${pod} Running`,
    );

  it("shares an emptyDir between containers and serves files from a ConfigMap, a Secret and the downward API", async () => {
    await k(
      "create",
      "configmap",
      "site",
      "--from-literal=index.html=<h1>from a configmap</h1>",
      "--from-literal=extra=1",
    );
    await k("create", "secret", "generic", "db", "--from-literal=password=s3cret");
    await apply(
      alice.kubeconfig,
      `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: { app: web, tier: front }
spec:
  volumes:
  - { name: shared, emptyDir: {} }
  - { name: cache, emptyDir: { medium: Memory, sizeLimit: 8Mi } }
  - { name: html, configMap: { name: site, items: [{ key: index.html, path: index.html }] } }
  - { name: creds, secret: { secretName: db, defaultMode: 0400 } }
  - name: info
    downwardAPI:
      items:
      - { path: labels, fieldRef: { fieldPath: metadata.labels } }
      - { path: mem, resourceFieldRef: { containerName: web, resource: limits.memory, divisor: 1Mi } }
  containers:
  - name: web
    image: nginx
    resources: { limits: { memory: 64Mi } }
    volumeMounts:
    - { name: html, mountPath: /usr/share/nginx/html }
    - { name: creds, mountPath: /etc/creds }
    - { name: info, mountPath: /etc/podinfo }
    - { name: shared, mountPath: /shared }
    - { name: cache, mountPath: /cache }
    - { name: html, mountPath: /etc/extra.html, subPath: index.html }
  - name: writer
    image: busybox
    command: ["sh", "-c", "echo written-by-writer > /out/note; sleep 3600"]
    volumeMounts:
    - { name: shared, mountPath: /out }
`,
    );
    await running(alice.kubeconfig, "web");
    const inWeb = async (...cmd: string[]) => (await k("exec", "web", "-c", "web", "--", ...cmd)).stdout;
    expect(await inWeb("wget", "-qO-", "http://127.0.0.1/")).toBe("<h1>from a configmap</h1>");
    expect(await inWeb("ls", "/usr/share/nginx/html")).toBe("index.html\n");
    expect(await inWeb("cat", "/etc/extra.html")).toBe("<h1>from a configmap</h1>");
    expect(await inWeb("cat", "/etc/creds/password")).toBe("s3cret");
    expect(await inWeb("stat", "-c", "%a", "/etc/creds/password")).toBe("400\n");
    expect(await inWeb("cat", "/etc/podinfo/labels")).toBe('app="web"\ntier="front"');
    expect(await inWeb("cat", "/etc/podinfo/mem")).toBe("64");
    expect(await eventually(async () => (await inWeb("cat", "/shared/note")) || undefined)).toBe(
      "written-by-writer\n",
    );
    expect(await inWeb("sh", "-c", "grep ' /cache ' /proc/mounts | cut -d' ' -f3")).toBe("tmpfs\n");
    const readOnly = await k("exec", "web", "-c", "web", "--", "sh", "-c", "echo x > /etc/creds/other");
    expect(readOnly.code).not.toBe(0);
    expect(readOnly.stderr).toMatch(/Read-only file system/);

    const uid = (await k("get", "pod", "web", "-o", "jsonpath={.metadata.uid}")).stdout;
    const volumesOf = async () =>
      (await docker.listVolumes({ filters: JSON.stringify({ label: [`${LABEL.podUid}=${uid}`] }) }))
        .Volumes ?? [];
    expect((await volumesOf()).length).toBe(5);
    expect((await k("delete", "pod", "web", "--grace-period=1")).code).toBe(0);
    await eventually(
      async () => ((await volumesOf()).length === 0 ? true : undefined),
      30_000,
      "volumes removed",
    );
  });

  it("waits for a missing ConfigMap with a FailedMount event, then starts", async () => {
    await apply(
      alice.kubeconfig,
      `apiVersion: v1
kind: Pod
metadata: { name: patient }
spec:
  volumes: [{ name: conf, configMap: { name: later } }]
  containers:
  - { name: c, image: busybox, command: ["sh", "-c", "cat /conf/greeting; echo; sleep 3600"], volumeMounts: [{ name: conf, mountPath: /conf }] }
`,
    );
    const events = await eventually(async () => {
      const out = (
        await k("get", "events", "--field-selector", "involvedObject.name=patient,reason=FailedMount")
      ).stdout;
      return out.includes("FailedMount") ? out : undefined;
    });
    expect(events).toContain('MountVolume.SetUp failed for volume "conf" : configmap "later" not found');
    expect((await k("get", "pod", "patient", "-o", "jsonpath={.status.phase}")).stdout).toBe("Pending");
    // the kubelet's retries fold into one Event whose count grows
    const counts = await eventually(async () => {
      const out = (
        await k("get", "events", "--field-selector", "reason=FailedMount", "-o", "jsonpath={.items[*].count}")
      ).stdout;
      return Number(out) >= 2 ? out : undefined;
    });
    expect(counts.split(" ")).toHaveLength(1);
    await k("create", "configmap", "later", "--from-literal=greeting=hello");
    await running(alice.kubeconfig, "patient");
    expect(await eventually(async () => (await k("logs", "patient")).stdout || undefined)).toBe("hello\n");
  });

  it("gives hostPath volumes per cluster: shared by a cluster's pods, invisible to another cluster", async () => {
    const pod = (name: string, command: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  volumes: [{ name: host, hostPath: { path: /srv/data, type: DirectoryOrCreate } }]
  containers:
  - { name: c, image: busybox, command: ["sh", "-c", "${command}; sleep 3600"], volumeMounts: [{ name: host, mountPath: /data }] }
`;
    await apply(alice.kubeconfig, pod("writer", "echo alice > /data/owner"));
    await running(alice.kubeconfig, "writer");
    await apply(alice.kubeconfig, pod("reader", "true"));
    await running(alice.kubeconfig, "reader");
    expect(
      await eventually(
        async () => (await k("exec", "reader", "--", "cat", "/data/owner")).stdout || undefined,
      ),
    ).toBe("alice\n");
    await apply(bob.kubeconfig, pod("reader", "true"));
    await running(bob.kubeconfig, "reader");
    const other = await kubectl(bob.kubeconfig, ["exec", "reader", "--", "ls", "/data"]);
    expect(other.stdout).toBe("");
  });
});
