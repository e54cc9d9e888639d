import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inClusterCa } from "../../core/in-cluster-ca";
import { tokenSecret } from "../../core/tokens";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { LABEL } from "../../workers/node-agent/runtime";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const run = promisify(execFile);
const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * What `curl --cacert ca.crt -H "Authorization: Bearer $(cat token)" URL` does, in the seeded images'
 * nodejs (no seeded image has curl yet): prints the status, then the body. The path goes as written, dot
 * segments included; a second argument is a token to send instead of the mounted one.
 */
const GET = `
const fs = require("fs"), https = require("https");
const [url, token] = process.argv.slice(1);
const [, host, port, path] = /^https:\\/\\/([^/:]+)(?::(\\d+))?(\\/.*)$/.exec(url);
https.get({
  host, port: port || 443, path,
  ca: fs.readFileSync("${SA_DIR}/ca.crt"),
  headers: { authorization: "Bearer " + (token || fs.readFileSync("${SA_DIR}/token", "utf8")) },
}, (r) => { let b = ""; r.on("data", (d) => (b += d)); r.on("end", () => console.log(r.statusCode + "\\n" + b)); })
  .on("error", (e) => { console.log("ERR " + e.message); process.exit(2); });
`;

/** An operator's in-cluster client: @kubernetes/client-node's loadFromCluster(), listing its namespace's pods. */
const CLIENT = `
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
const kc = new KubeConfig();
kc.loadFromCluster();
const namespace = require("fs").readFileSync("${SA_DIR}/namespace", "utf8");
kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace }).then(
  (list) => console.log(JSON.stringify({ server: kc.getCurrentCluster()?.server, pods: list.items.map((p) => p.metadata?.name) })),
  (e) => { console.log("ERR " + (e.code ?? "") + " " + e.message); process.exit(2); },
);
`;

describe("the Kubernetes API from inside the pods", () => {
  let platform: TestPlatform;
  let kubeconfig: string;
  let clusterId: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    ({ kubeconfig, id: clusterId } = await platform.createCluster("incluster"));
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 90_000 });
  const get = async (pod: string, namespace: string, url: string, token?: string) => {
    const r = await k("exec", "-n", namespace, pod, "--", "node", "-e", GET, url, ...(token ? [token] : []));
    const [status, ...body] = r.stdout.split("\n");
    return { status, body: body.join("\n"), stderr: r.stderr };
  };
  const runPod = async (name: string, namespace: string, extra: Record<string, unknown> = {}) => {
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace },
      spec: {
        containers: [{ name: "main", image: "busybox:1.36", command: ["sleep", "3600"] }],
        terminationGracePeriodSeconds: 0,
        ...extra,
      },
    };
    expect((await kubectl(kubeconfig, ["apply", "-f", "-"], { input: JSON.stringify(manifest) })).code).toBe(
      0,
    );
    await eventually(
      async () =>
        (await k("get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.phase}")).stdout ===
          "Running" || undefined,
      90_000,
      `pod ${namespace}/${name} Running`,
    );
  };
  /** Copies a host file into a running pod's container, as a course's image would hold it. */
  const copyIn = async (namespace: string, pod: string, source: string, target: string) => {
    const [container] = await dockerFromHost(
      process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock",
    ).listContainers({
      filters: {
        label: [
          `${LABEL.cluster}=${clusterId}`,
          `${LABEL.namespace}=${namespace}`,
          `${LABEL.pod}=${pod}`,
          `${LABEL.container}=main`,
        ],
      },
    });
    if (!container) throw new Error(`no container for ${namespace}/${pod}`);
    await run("docker", ["cp", "-L", source, `${container.Id}:${target}`]);
  };

  it("publishes the in-cluster CA in every namespace, and puts it back when deleted or changed", async () => {
    const ca = (await inClusterCa(tokenSecret(platform.adminToken))).cert;
    const published = (ns: string) =>
      eventually(
        async () => {
          const r = await k(
            "get",
            "configmap",
            "kube-root-ca.crt",
            "-n",
            ns,
            "-o",
            "jsonpath={.data.ca\\.crt}",
          );
          return r.stdout === ca ? true : undefined;
        },
        30_000,
        `kube-root-ca.crt in ${ns}`,
      );
    await published("default");
    await published("kube-system");
    await k("create", "namespace", "team");
    await published("team");
    expect((await k("delete", "configmap", "kube-root-ca.crt", "-n", "team")).code).toBe(0);
    await published("team");
    const patch = JSON.stringify({ data: { "ca.crt": "tampered" } });
    expect((await k("patch", "configmap", "kube-root-ca.crt", "-n", "team", "-p", patch)).code).toBe(0);
    await published("team");
  });

  it("shows the kubernetes Service with its Endpoints and EndpointSlice, kube's way", async () => {
    const svc = JSON.parse((await k("get", "service", "kubernetes", "-o", "json")).stdout);
    expect(svc.spec.ports).toEqual([{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }]);
    const ep = JSON.parse((await k("get", "endpoints", "kubernetes", "-o", "json")).stdout);
    expect(ep.subsets).toEqual([
      { addresses: [{ ip: expect.any(String) }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] },
    ]);
    const slice = JSON.parse(
      (await k("get", "endpointslices", "-l", "kubernetes.io/service-name=kubernetes", "-o", "json")).stdout,
    );
    expect(slice.items).toHaveLength(1);
    expect(slice.items[0].endpoints[0].addresses).toEqual([ep.subsets[0].addresses[0].ip]);
    // the platform's own address may stay, not be pointed anywhere else
    const moved = await k(
      "patch",
      "endpoints",
      "kubernetes",
      "--type=json",
      "-p",
      JSON.stringify([{ op: "replace", path: "/subsets/0/addresses/0/ip", value: "172.17.0.1" }]),
    );
    expect(moved.stderr).toContain("must be a pod address of this cluster's network");
    expect((await k("label", "endpoints", "kubernetes", "checked=yes")).code).toBe(0);
  });

  it("mounts a bound token, the CA and the namespace, unless the pod or its account opts out", async () => {
    await k("create", "serviceaccount", "bot", "-n", "team");
    await runPod("probe", "team", { serviceAccountName: "bot" });
    const pod = JSON.parse((await k("get", "pod", "probe", "-n", "team", "-o", "json")).stdout);
    const volume = pod.spec.volumes.find((v: { name: string }) => v.name.startsWith("kube-api-access-"));
    expect(volume.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(volume.projected.sources[0]).toEqual({
      serviceAccountToken: { expirationSeconds: 3607, path: "token" },
    });
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({
      name: volume.name,
      mountPath: SA_DIR,
      readOnly: true,
    });
    const files = await k(
      "exec",
      "-n",
      "team",
      "probe",
      "--",
      "sh",
      "-c",
      `ls ${SA_DIR}; cat ${SA_DIR}/namespace`,
    );
    expect(files.stdout).toBe("ca.crt\nnamespace\ntoken\nteam");
    const env = (await k("exec", "-n", "team", "probe", "--", "env")).stdout;
    expect(env).toMatch(/^KUBERNETES_SERVICE_HOST=\d+\.\d+\.\d+\.\d+$/m);
    expect(env).toMatch(/^KUBERNETES_SERVICE_PORT=443$/m);
    expect(env).toMatch(/^KUBERNETES_SERVICE_PORT_HTTPS=443$/m);

    await runPod("quiet", "team", { serviceAccountName: "bot", automountServiceAccountToken: false });
    await k("create", "serviceaccount", "silent", "-n", "team");
    await k(
      "patch",
      "serviceaccount",
      "silent",
      "-n",
      "team",
      "-p",
      '{"automountServiceAccountToken":false}',
    );
    await runPod("silent", "team", { serviceAccountName: "silent" });
    for (const name of ["quiet", "silent"]) {
      const spec = JSON.parse((await k("get", "pod", name, "-n", "team", "-o", "json")).stdout).spec;
      expect(spec.volumes ?? []).toEqual([]);
      expect((await k("exec", "-n", "team", name, "--", "ls", SA_DIR)).code).not.toBe(0);
    }
  });

  it("answers at kubernetes.default.svc and its other names over verified TLS, and RBAC decides", async () => {
    await runPod("names", "default");
    for (const host of [
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local",
    ]) {
      const reply = await get("names", "default", `https://${host}/version`);
      expect(reply.status, `${host}: ${reply.body}${reply.stderr}`).toBe("200");
      expect(JSON.parse(reply.body).gitVersion).toMatch(/^v1\./);
    }
    const ip = (await k("get", "service", "kubernetes", "-o", "jsonpath={.spec.clusterIP}")).stdout;
    expect((await get("names", "default", `https://${ip}/version`)).status).toBe("200");

    const url = "https://kubernetes.default.svc/api/v1/namespaces/team/pods";
    const refused = await get("probe", "team", url);
    expect(refused.status).toBe("403");
    expect(JSON.parse(refused.body)).toMatchObject({
      kind: "Status",
      reason: "Forbidden",
      code: 403,
      message:
        'pods is forbidden: User "system:serviceaccount:team:bot" cannot list resource "pods" in API group "" in the namespace "team"',
    });
    await k("create", "role", "pod-reader", "-n", "team", "--verb=get,list,watch", "--resource=pods");
    await k(
      "create",
      "rolebinding",
      "bot-reads",
      "-n",
      "team",
      "--role=pod-reader",
      "--serviceaccount=team:bot",
    );
    const listed = await get("probe", "team", url);
    expect(listed.status).toBe("200");
    expect(JSON.parse(listed.body).items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(
      expect.arrayContaining(["probe", "quiet", "silent"]),
    );
    expect((await get("probe", "team", url, "not-a-token")).status).toBe("401");
    // dot segments stay under the cluster's path: no way out to the management API
    const climbed = await get("probe", "team", "https://kubernetes.default.svc/api/../../../v1/clusters");
    expect(climbed.status).toBe("404");
    expect(JSON.parse(climbed.body)).toMatchObject({ kind: "Status", code: 404 });
  });

  it("stops taking a token once the pod or secret it is bound to is gone", async () => {
    const asToken = (token: string) => k("--token", token, "get", "--raw", "/apis");
    await runPod("holder", "default");
    const mounted = (await k("exec", "holder", "--", "cat", `${SA_DIR}/token`)).stdout;
    expect((await asToken(mounted)).code).toBe(0);
    await k("create", "secret", "generic", "ticket", "--from-literal=a=b");
    const bound = (
      await k("create", "token", "default", "--bound-object-kind=Secret", "--bound-object-name=ticket")
    ).stdout.trim();
    expect((await asToken(bound)).code).toBe(0);

    await k("delete", "pod", "holder", "--wait=true");
    await k("delete", "secret", "ticket");
    for (const token of [mounted, bound]) {
      const refused = await asToken(token);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("Unauthorized");
    }
    const missing = await k(
      "create",
      "token",
      "default",
      "--bound-object-kind=Pod",
      "--bound-object-name=nobody",
    );
    expect(missing.stderr).toContain('pods "nobody" not found');
  });

  it("refuses a ServiceAccount token of another cluster", async () => {
    const other = await platform.createCluster("other");
    const token = (await kubectl(other.kubeconfig, ["create", "token", "default"])).stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const reply = await get("names", "default", "https://kubernetes.default.svc/api/v1/namespaces", token);
    expect(reply.status).toBe("401");
  });

  it("serves the real kubectl from inside a pod: in-cluster config, list, and exec through the relay", async () => {
    await k("create", "role", "pod-exec", "-n", "team", "--verb=create,get", "--resource=pods/exec");
    await k(
      "create",
      "rolebinding",
      "bot-execs",
      "-n",
      "team",
      "--role=pod-exec",
      "--serviceaccount=team:bot",
    );
    await copyIn("team", "probe", process.env.KUBECTL_IN_POD ?? "/usr/bin/kubectl", "/usr/local/bin/kubectl");
    const inside = (...args: string[]) => k("exec", "-n", "team", "probe", "--", "kubectl", ...args);
    const pods = await inside("get", "pods", "-o", "name");
    expect(pods.stderr).toBe("");
    expect(pods.stdout.split("\n")).toEqual(expect.arrayContaining(["pod/probe", "pod/quiet"]));
    const whoami = await inside("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
    expect(whoami.stderr).toBe("");
    expect(whoami.stdout).toBe("system:serviceaccount:team:bot");
    expect((await inside("auth", "can-i", "list", "pods")).stdout).toBe("yes\n");
    expect((await inside("auth", "can-i", "delete", "pods")).stdout).toBe("no\n");
    const exec = await inside("exec", "quiet", "--", "echo", "hello from inside");
    expect(exec.stdout).toBe("hello from inside\n");
    const denied = await inside("get", "secrets");
    expect(denied.stderr).toContain(
      'secrets is forbidden: User "system:serviceaccount:team:bot" cannot list resource "secrets" in API group "" in the namespace "team"',
    );
  });

  it("serves @kubernetes/client-node's loadFromCluster()", async () => {
    const bundle = await build({
      stdin: { contents: CLIENT, resolveDir: process.cwd(), loader: "ts" },
      bundle: true,
      platform: "node",
      target: "node18",
      format: "cjs",
      write: false,
      logLevel: "silent",
    });
    const script = join(platform.workDir, "client.js");
    await writeFile(script, bundle.outputFiles[0]?.text ?? "");
    await copyIn("team", "probe", script, "/tmp/client.js");
    const r = await k("exec", "-n", "team", "probe", "--", "node", "/tmp/client.js");
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.server).toMatch(/^https:\/\/\d+\.\d+\.\d+\.\d+:443$/);
    expect(out.pods).toEqual(expect.arrayContaining(["probe", "quiet", "silent"]));
  });
});
