import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartDirectory } from "../../core/charts/catalog";
import { decodeRelease } from "../../helm/release";
import { tarOf } from "../../workers/node-agent/archive";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const CHART = fileURLToPath(
  new URL("../../../shared/conformance/helm/charts-extra/hello-world/", import.meta.url),
);

/** The hello-world chart installed, upgraded, rolled back and uninstalled through the management API. */
describe("Helm releases", () => {
  let platform: TestPlatform;
  let id: string;
  let kubeconfig: string;
  const files = chartDirectory(CHART);

  beforeAll(async () => {
    platform = await startTestPlatform();
    ({ id, kubeconfig } = await platform.createCluster("releases"));
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 120_000 });
  const replicas = async () =>
    (await k("get", "deployment", "web-hello-world", "-o", "jsonpath={.spec.replicas}")).stdout;

  it("installs the chart with custom values, running, with Helm's release record", async () => {
    const res = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "web",
      chart: { files },
      values: { replicaCount: 2, image: { tag: "1.25" } },
    });
    expect(res.status).toBe(201);
    const release = (await res.json()) as { revision: number; status: string; chart: string; notes: string };
    expect(release).toMatchObject({ revision: 1, status: "deployed", chart: "hello-world-0.1.0" });
    expect(release.notes).toContain("Get the application URL");
    expect((await k("rollout", "status", "deployment/web-hello-world", "--timeout=90s")).code).toBe(0);
    expect(await replicas()).toBe("2");
    expect((await k("get", "service", "web-hello-world", "-o", "name")).stdout).toBe(
      "service/web-hello-world\n",
    );
    const secret = JSON.parse((await k("get", "secret", "sh.helm.release.v1.web.v1", "-o", "json")).stdout);
    expect(secret.type).toBe("helm.sh/release.v1");
    expect(secret.metadata.labels).toMatchObject({
      owner: "helm",
      name: "web",
      status: "deployed",
      version: "1",
    });
    const stored = decodeRelease(Buffer.from(secret.data.release, "base64").toString());
    expect(stored.config).toEqual({ replicaCount: 2, image: { tag: "1.25" } });
    expect(stored.manifest).toContain("# Source: hello-world/templates/deployment.yaml");
  });

  it("upgrades, rolls back and keeps the history", async () => {
    const up = await platform.admin("PUT", `/v1/clusters/${id}/releases/web`, {
      chart: { files },
      values: { replicaCount: 3, image: { tag: "1.27" } },
    });
    expect(up.status).toBe(200);
    expect(((await up.json()) as { revision: number }).revision).toBe(2);
    await eventually(async () => ((await replicas()) === "3" ? true : undefined), 10_000);
    const back = await platform.admin("POST", `/v1/clusters/${id}/releases/web/rollback`, { revision: 1 });
    expect(back.status).toBe(200);
    expect(((await back.json()) as { revision: number }).revision).toBe(3);
    await eventually(async () => ((await replicas()) === "2" ? true : undefined), 10_000);
    expect(
      (
        await k(
          "get",
          "deployment",
          "web-hello-world",
          "-o",
          "jsonpath={.spec.template.spec.containers[0].image}",
        )
      ).stdout,
    ).toBe("nginx:1.25");
    const history = (await (
      await platform.admin("GET", `/v1/clusters/${id}/releases/web/history`)
    ).json()) as {
      items: { revision: number; status: string; description: string }[];
    };
    expect(history.items.map((r) => [r.revision, r.status])).toEqual([
      [1, "superseded"],
      [2, "superseded"],
      [3, "deployed"],
    ]);
    expect(history.items[2]?.description).toBe("Rollback to 1");
  });

  it("refuses a chart that does not render, naming the template, and changes nothing", async () => {
    const broken = { ...files, "templates/broken.yaml": "kind: {{ .Values.nothing.here }}" };
    const res = await platform.admin("PUT", `/v1/clusters/${id}/releases/web`, { chart: { files: broken } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      "hello-world/templates/broken.yaml",
    );
    const status = (await (await platform.admin("GET", `/v1/clusters/${id}/releases/web`)).json()) as {
      revision: number;
    };
    expect(status.revision).toBe(3);
  });

  it("uninstalls: objects and history gone", async () => {
    expect((await platform.admin("DELETE", `/v1/clusters/${id}/releases/web`)).status).toBe(200);
    await eventually(
      async () => ((await k("get", "deployment", "web-hello-world")).code !== 0 ? true : undefined),
      20_000,
    );
    expect((await k("get", "secrets", "-l", "owner=helm", "-o", "name")).stdout).toBe("");
    expect((await platform.admin("GET", `/v1/clusters/${id}/releases/web`)).status).toBe(404);
  });

  it("installs a packaged chart (.tgz) and the classroom catalog's charts", async () => {
    const archive = await tarOf(
      Object.entries(files).map(([path, content]) => ({ name: `hello-world/${path}`, content })),
    );
    const packaged = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "packed",
      chart: { archive: gzipSync(archive).toString("base64") },
      values: { image: { tag: "1.25" }, serviceAccount: { create: false } },
    });
    expect(packaged.status, await packaged.clone().text()).toBe(201);
    expect((await k("get", "deployment", "packed-hello-world", "-o", "name")).stdout).toBe(
      "deployment.apps/packed-hello-world\n",
    );

    const web = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "site",
      chart: { catalog: "web" },
    });
    expect(web.status).toBe(201);
    expect((await k("rollout", "status", "deployment/site-web", "--timeout=90s")).code).toBe(0);
    expect((await k("get", "ingress", "site-web", "-o", "jsonpath={.spec.rules[0].host}")).stdout).toBe(
      "web.local",
    );

    const batch = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "pi",
      chart: { catalog: "batch" },
      values: { digits: 50 },
    });
    expect(batch.status).toBe(201);
    expect((await k("wait", "--for=condition=complete", "job/pi-pi", "--timeout=90s")).code).toBe(0);
    expect((await k("logs", "job/pi-pi")).stdout).toMatch(/^3\.14159265358979/);

    const redis = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "cache",
      chart: { catalog: "redis" },
      values: { password: "s3cret" },
    });
    expect(redis.status, await redis.clone().text()).toBe(201);
    expect(((await redis.json()) as { notes: string }).notes).toContain("cache-redis:6379");
    expect((await k("rollout", "status", "deployment/cache-redis", "--timeout=90s")).code).toBe(0);
    // the pod's REDISCLI_AUTH authenticates redis-cli; without it the server asks for the password
    const host = "cache-redis.default.svc.cluster.local";
    const cli = (...args: string[]) =>
      k("exec", "deploy/cache-redis", "--", "redis-cli", "-h", host, ...args);
    expect((await cli("set", "greeting", "hello")).stdout).toBe("OK\n");
    expect((await cli("get", "greeting")).stdout).toBe("hello\n");
    const anonymous = await k(
      "exec",
      "deploy/cache-redis",
      "--",
      "env",
      "-u",
      "REDISCLI_AUTH",
      "redis-cli",
      "-h",
      host,
      "ping",
    );
    expect(anonymous.stdout).toMatch(/NOAUTH/);

    const unknown = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "x",
      chart: { catalog: "nope" },
    });
    expect(unknown.status).toBe(404);
  });

  it("renders packaged subcharts by alias and condition, imported values, files and lookups", async () => {
    const part = await tarOf([
      { name: "part/Chart.yaml", content: "apiVersion: v2\nname: part\nversion: 0.1.0\n" },
      { name: "part/values.yaml", content: "shared:\n  color: blue\n" },
      {
        name: "part/templates/cm.yaml",
        content:
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\ndata:\n  color: {{ .Values.shared.color }}\n",
      },
    ]);
    const umbrella = {
      "Chart.yaml": [
        "apiVersion: v2",
        "name: umbrella",
        "version: 1.0.0",
        "dependencies:",
        "  - name: part",
        "    version: 0.1.0",
        "    alias: front",
        "    import-values:",
        "      - child: shared",
        "        parent: fromFront",
        "  - name: part",
        "    version: 0.1.0",
        "    alias: back",
        "    condition: back.enabled",
        "",
      ].join("\n"),
      "values.yaml": "back:\n  enabled: false\n",
      "charts/part-0.1.0.tgz": gzipSync(part).toString("base64"),
      "files/motd.txt": "welcome\n",
      "templates/summary.yaml": [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: {{ .Release.Name }}-summary",
        "data:",
        "  imported: {{ .Values.fromFront.color }}",
        '  seen: {{ (lookup "v1" "ConfigMap" .Release.Namespace "existing").data.greeting | default "none" }}',
        '  {{- (.Files.Glob "files/*").AsConfig | nindent 2 }}',
        "",
      ].join("\n"),
    };
    expect((await k("create", "configmap", "existing", "--from-literal=greeting=hello")).code).toBe(0);
    const res = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "u",
      chart: { files: umbrella },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect((await k("get", "configmap", "u-summary", "-o", "jsonpath={.data}")).stdout).toBe(
      '{"imported":"blue","motd.txt":"welcome\\n","seen":"hello"}',
    );
    expect((await k("get", "configmap", "u-front", "-o", "jsonpath={.data.color}")).stdout).toBe("blue");
    expect((await k("get", "configmap", "u-back")).stderr).toContain("NotFound");

    const upgraded = await platform.admin("PUT", `/v1/clusters/${id}/releases/u`, {
      chart: { files: umbrella },
      set: ["back.enabled=true"],
    });
    expect(upgraded.status, await upgraded.clone().text()).toBe(200);
    expect(((await upgraded.json()) as { values: unknown }).values).toEqual({ back: { enabled: true } });
    expect((await k("get", "configmap", "u-back", "-o", "jsonpath={.data.color}")).stdout).toBe("blue");

    const broken = await platform.admin("PUT", `/v1/clusters/${id}/releases/u`, {
      chart: { files: umbrella },
      set: ["back.enabled"],
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({
      error: { code: "invalid_set", message: 'key "enabled" has no value' },
    });
  });

  it("refuses to take over an object it does not own, leaving nothing behind", async () => {
    await k("create", "configmap", "taken", "--from-literal=owner=student");
    const cm = (name: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  owner: chart\n`;
    const res = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "grab",
      chart: {
        files: {
          "Chart.yaml": "apiVersion: v2\nname: grab\nversion: 1.0.0\n",
          "templates/a.yaml": cm("grab-first"),
          "templates/b.yaml": cm("taken"),
        },
      },
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'Unable to continue with install: ConfigMap "taken" in namespace "default" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"; annotation validation error: missing key "meta.helm.sh/release-name": must be set to "grab"; annotation validation error: missing key "meta.helm.sh/release-namespace": must be set to "default"',
    );
    expect((await k("get", "configmap", "taken", "-o", "jsonpath={.data.owner}")).stdout).toBe("student");
    expect((await k("get", "configmap", "grab-first")).stderr).toContain("NotFound");
    expect((await platform.admin("GET", `/v1/clusters/${id}/releases/grab`)).status).toBe(404);
  });

  it("installs the platform's own chart (infra/chart): every object accepted by the API", async () => {
    const platformChart = chartDirectory(
      fileURLToPath(new URL("../../infra/chart/", import.meta.url)),
      (path) => path.endsWith(".test.ts"),
    );
    const res = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "timonier",
      namespace: "default",
      chart: { files: platformChart },
      values: {
        publicUrl: "https://timonier.example.org",
        kubeUrl: "https://kube.timonier.example.org:8443",
        adminToken: "a-token-of-at-least-16-chars",
        databaseUrl: "postgres://timonier:secret@postgres:5432/timonier",
        redisUrl: "redis://redis:6379",
        nodes: [
          {
            name: "node-1",
            dockerHost: "tcp://10.0.0.11:2376",
            address: "10.0.0.11",
            tlsSecret: "node-1-tls",
          },
        ],
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(((await res.json()) as { notes: string }).notes).toContain("1 Docker host(s) listed");
    expect(
      (await k("get", "deployments", "-l", "app.kubernetes.io/instance=timonier", "-o", "name")).stdout,
    ).toBe(["deployment.apps/timonier-api", "deployment.apps/timonier-controllers", ""].join("\n"));
    expect((await platform.admin("DELETE", `/v1/clusters/${id}/releases/timonier`)).status).toBe(200);
  });

  it("writes as Helm's field manager, and nothing into a namespace that does not exist", async () => {
    const plain = {
      "Chart.yaml": "apiVersion: v2\nname: plain\nversion: 0.1.0\n",
      "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: b\n",
    };
    const res = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "plain",
      chart: { files: plain },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const managers = await k(
      "get",
      "configmap",
      "plain",
      "--show-managed-fields",
      "-o",
      "jsonpath={.metadata.managedFields[*].manager}",
    );
    expect(managers.stdout).toBe("helm");
    const lost = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "lost",
      namespace: "nowhere",
      chart: { files: plain },
    });
    expect(lost.status).toBe(422);
    expect(((await lost.json()) as { error: { message: string } }).error.message).toBe(
      'namespaces "nowhere" not found',
    );
    expect((await platform.admin("DELETE", `/v1/clusters/${id}/releases/plain`)).status).toBe(200);
  });

  it("runs pre- and post-install hooks off the request, and fails a release whose hook fails", async () => {
    const hooked = (exitCode: number) => ({
      "Chart.yaml": "apiVersion: v2\nname: hooked\nversion: 0.1.0\n",
      "templates/app.yaml":
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-app\ndata:\n  ready: "yes"\n',
      "templates/migrate.yaml": [
        "apiVersion: batch/v1",
        "kind: Job",
        "metadata:",
        "  name: {{ .Release.Name }}-migrate",
        "  annotations:",
        '    "helm.sh/hook": pre-install',
        '    "helm.sh/hook-delete-policy": hook-succeeded',
        "spec:",
        "  backoffLimit: 0",
        "  template:",
        "    spec:",
        "      restartPolicy: Never",
        "      containers:",
        "        - name: migrate",
        "          image: busybox",
        `          command: ["sh", "-c", "echo migrating; exit ${exitCode}"]`,
        "",
      ].join("\n"),
      "templates/done.yaml": [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: {{ .Release.Name }}-installed",
        "  annotations:",
        '    "helm.sh/hook": post-install',
        "data:",
        "  at: install",
        "",
      ].join("\n"),
    });
    const settled = (name: string) =>
      eventually(
        async () => {
          const release = (await (
            await platform.admin("GET", `/v1/clusters/${id}/releases/${name}`)
          ).json()) as {
            status: string;
            description: string;
          };
          return release.status.startsWith("pending-") ? undefined : release;
        },
        60_000,
        `release ${name} deployed or failed`,
      );
    const ok = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "db",
      chart: { files: hooked(0) },
    });
    expect(ok.status, await ok.clone().text()).toBe(201);
    expect(((await ok.json()) as { status: string }).status).toBe("pending-install");
    const upgrade = await platform.admin("PUT", `/v1/clusters/${id}/releases/db`, {
      chart: { files: hooked(0) },
    });
    expect(upgrade.status).toBe(409);
    expect((await settled("db")).status).toBe("deployed");
    expect((await k("get", "configmap", "db-app", "db-installed", "-o", "name")).stdout).toBe(
      "configmap/db-app\nconfigmap/db-installed\n",
    );
    await eventually(
      async () => ((await k("get", "job", "db-migrate")).code !== 0 ? true : undefined),
      10_000,
      "the hook Job deleted",
    );

    const failing = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "bad",
      chart: { files: hooked(1) },
    });
    expect(failing.status).toBe(201);
    expect(await settled("bad")).toMatchObject({
      status: "failed",
      description: 'Release "bad" failed: pre-install hook failed: Job bad-migrate did not succeed',
    });
    expect((await k("get", "configmap", "bad-app")).code).not.toBe(0);
  });
});
