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
    // the five above and the ServiceAccount's kube-api-access-* projected volume
    expect((await volumesOf()).length).toBe(6);
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

  it("provisions a claim of the default class, keeps its data across pods, and deletes it with the claim", async () => {
    expect((await k("get", "storageclass")).stdout).toMatch(
      /^standard \(default\)\s+timonier.io\/local-path\s+Delete\s+Immediate/m,
    );
    const writer = (name: string, command: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  volumes: [{ name: data, persistentVolumeClaim: { claimName: notes } }]
  containers:
  - { name: c, image: busybox, command: ["sh", "-c", "${command}; sleep 3600"], volumeMounts: [{ name: data, mountPath: /data }] }
`;
    await apply(
      alice.kubeconfig,
      `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: notes }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
---
${writer("first", "echo kept > /data/note")}`,
    );
    const bound = await eventually(async () => {
      const out = (await k("get", "pvc", "notes", "--no-headers")).stdout;
      return out.includes("Bound") ? out : undefined;
    });
    expect(bound).toMatch(/^notes\s+Bound\s+pvc-[0-9a-f-]+\s+1Gi\s+RWO\s+standard\s/);
    const pv = (await k("get", "pvc", "notes", "-o", "jsonpath={.spec.volumeName}")).stdout;
    expect((await k("get", "pv", pv, "--no-headers")).stdout).toMatch(
      /1Gi\s+RWO\s+Delete\s+Bound\s+default\/notes\s+standard/,
    );
    await running(alice.kubeconfig, "first");
    await eventually(async () =>
      (await k("exec", "first", "--", "cat", "/data/note")).stdout === "kept\n" ? true : undefined,
    );
    expect((await k("delete", "pod", "first", "--grace-period=1")).code).toBe(0);
    await apply(alice.kubeconfig, writer("second", "true"));
    await running(alice.kubeconfig, "second");
    expect((await k("exec", "second", "--", "cat", "/data/note")).stdout).toBe("kept\n");

    const refused = await kubectl(alice.kubeconfig, ["apply", "-f", "-"], {
      input:
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: bad}\nspec: {resources: {requests: {storage: 1Gi}}}\n",
    });
    expect(refused.stderr).toContain("spec.accessModes: Required value: at least 1 access mode is required");

    expect((await k("delete", "pod", "second", "--grace-period=1")).code).toBe(0);
    expect((await k("delete", "pvc", "notes")).code).toBe(0);
    await eventually(
      async () => ((await k("get", "pv", pv)).code !== 0 ? true : undefined),
      30_000,
      "PV deleted",
    );
  });

  it("binds a teacher's hostPath PersistentVolume, and gives each StatefulSet pod its own claim", async () => {
    await apply(
      alice.kubeconfig,
      `apiVersion: v1
kind: PersistentVolume
metadata: { name: shared-pv, labels: { type: local } }
spec:
  storageClassName: manual
  capacity: { storage: 2Gi }
  accessModes: [ReadWriteOnce]
  hostPath: { path: /mnt/class }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: class-claim }
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  replicas: 2
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", "[ -f /data/me ] || hostname > /data/me; sleep 3600"]
        volumeMounts: [{ name: data, mountPath: /data }]
  volumeClaimTemplates:
  - metadata: { name: data }
    spec:
      accessModes: [ReadWriteOnce]
      resources: { requests: { storage: 100Mi } }
`,
    );
    await eventually(async () =>
      (await k("get", "pvc", "class-claim", "-o", "jsonpath={.status.phase}/{.spec.volumeName}")).stdout ===
      "Bound/shared-pv"
        ? true
        : undefined,
    );
    expect(
      (await k("get", "pv", "shared-pv", "-o", "jsonpath={.status.phase} {.spec.claimRef.name}")).stdout,
    ).toBe("Bound class-claim");
    expect((await k("rollout", "status", "statefulset/db", "--timeout=90s")).code).toBe(0);
    const claims = (await k("get", "pvc", "-l", "app=db", "-o", "jsonpath={.items[*].metadata.name}")).stdout;
    expect(claims.split(" ").sort()).toEqual(["data-db-0", "data-db-1"]);
    expect((await k("exec", "db-1", "--", "cat", "/data/me")).stdout).toBe("db-1\n");
    expect((await k("delete", "pod", "db-0", "--grace-period=1")).code).toBe(0);
    await eventually(async () =>
      (await k("exec", "db-0", "--", "cat", "/data/me")).stdout === "db-0\n" ? true : undefined,
    );
  });
});
