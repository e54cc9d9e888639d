import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProvider, PROVIDER_VERSION } from "../../terraform/provider/build";
import { kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const run = promisify(execFile);
const TERRAFORM = ["/usr/local/bin/terraform", "/usr/bin/terraform"].find((p) => existsSync(p));
const CLASSROOM = resolve(import.meta.dirname, "../../terraform/examples/classroom");

const config = (name: string) => `terraform {
  required_providers {
    timonier = { source = "timonier/timonier" }
  }
}
provider "timonier" {}
resource "timonier_cluster" "student" {
  name   = "${name}"
  tenant = "tf-class"
}
output "id" { value = timonier_cluster.student.id }
output "kubeconfig" {
  value     = timonier_cluster.student.kubeconfig
  sensitive = true
}
`;

/** The provider, bundled and found by the real Terraform through dev_overrides, against a running platform. */
describe.skipIf(!TERRAFORM)("terraform-provider-timonier", () => {
  let platform: TestPlatform;
  let dir: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    dir = await mkdtemp(join(tmpdir(), "tf-provider-"));
    const bin = join(dir, "bin");
    await buildProvider(bin);
    await writeFile(
      join(dir, "cli.tfrc"),
      `provider_installation {\n  dev_overrides {\n    "timonier/timonier" = "${bin}"\n  }\n  direct {}\n}\n`,
    );
    await writeFile(join(dir, "main.tf"), config("alice"));
  }, 120_000);
  afterAll(async () => {
    await platform?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const terraform = (...args: string[]) => terraformIn(dir, join(dir, "cli.tfrc"), ...args);
  const terraformIn = (cwd: string, cliConfig: string, ...args: string[]) =>
    run(TERRAFORM as string, [...args, "-no-color"], {
      cwd,
      env: {
        ...process.env,
        TF_IN_AUTOMATION: "1",
        TF_CLI_CONFIG_FILE: cliConfig,
        TIMONIER_URL: platform.url,
        TIMONIER_TOKEN: platform.adminToken,
      },
      timeout: 120_000,
    });
  /** `terraform plan -detailed-exitcode`: 0 without changes, 2 with. */
  const plan = async () => {
    try {
      return { code: 0, stdout: (await terraform("plan", "-input=false", "-detailed-exitcode")).stdout };
    } catch (failure) {
      const { code, stdout, stderr } = failure as { code: number; stdout: string; stderr: string };
      return { code, stdout: stdout + stderr };
    }
  };
  const clusterId = async () =>
    JSON.parse((await terraform("output", "-json")).stdout.replace(/^[^{]*/, "")).id.value;
  const status = async (id: string) => (await platform.admin("GET", `/v1/clusters/${id}`)).status;

  it("applies, plans no change, detects drift, imports and destroys a cluster", async () => {
    await terraform("apply", "-auto-approve", "-input=false");
    const id = (await clusterId()) as string;
    const cluster = (await (await platform.admin("GET", `/v1/clusters/${id}`)).json()) as Record<
      string,
      string
    >;
    expect(cluster).toMatchObject({ name: "alice", tenant: "tf-class", phase: "Active" });
    const state = (await terraform("state", "show", "timonier_cluster.student")).stdout;
    expect(state).toContain(cluster.server);
    expect(state).toMatch(/kubeconfig\s+= \(sensitive value\)/);

    expect((await plan()).code).toBe(0);

    // drift: deleted through the API, the cluster is planned for creation again
    expect((await platform.admin("DELETE", `/v1/clusters/${id}`)).status).toBe(202);
    await expect.poll(() => status(id), { timeout: 30_000, interval: 250 }).toBe(404);
    const drifted = await plan();
    expect(drifted.code).toBe(2);
    expect(drifted.stdout).toContain("timonier_cluster.student will be created");

    // import: a cluster made outside this state is adopted, and then nothing changes
    await terraform("apply", "-auto-approve", "-input=false");
    const recreated = (await clusterId()) as string;
    expect(recreated).not.toBe(id);
    await terraform("state", "rm", "timonier_cluster.student");
    await terraform("import", "-input=false", "timonier_cluster.student", recreated);
    expect((await plan()).code).toBe(0);
    expect((await terraform("state", "show", "timonier_cluster.student")).stdout).toContain(recreated);

    // a new name replaces the cluster
    await writeFile(join(dir, "main.tf"), config("bob"));
    const renamed = await plan();
    expect(renamed.code).toBe(2);
    expect(renamed.stdout).toContain("must be replaced");

    await terraform("destroy", "-auto-approve", "-input=false");
    expect(await status(recreated)).toBe(404);
  }, 300_000);

  it("rejects an invalid name at plan, pointing at the attribute", async () => {
    await writeFile(join(dir, "main.tf"), config("Not_A_Label"));
    const invalid = await plan();
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain("Error: Invalid name");
    expect(invalid.stdout).toContain('name   = "Not_A_Label"');
  }, 120_000);

  it("installs from a filesystem mirror with terraform init", async () => {
    const mirror = join(dir, "mirror");
    const platformDir = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;
    await buildProvider(
      join(mirror, "registry.terraform.io/timonier/timonier", PROVIDER_VERSION, platformDir),
      `terraform-provider-timonier_v${PROVIDER_VERSION}`,
    );
    const work = join(dir, "mirrored");
    await mkdir(work);
    await writeFile(join(work, "main.tf"), config("carol"));
    await writeFile(
      join(dir, "mirror.tfrc"),
      `provider_installation {
  filesystem_mirror {
    path    = "${mirror}"
    include = ["timonier/timonier"]
  }
  direct {
    exclude = ["timonier/timonier"]
  }
}
`,
    );
    const init = await terraformIn(work, join(dir, "mirror.tfrc"), "init", "-input=false");
    expect(init.stdout).toContain(`Installed timonier/timonier v${PROVIDER_VERSION}`);
    expect((await terraformIn(work, join(dir, "mirror.tfrc"), "validate")).stdout).toContain(
      "The configuration is valid",
    );
  }, 120_000);

  /** A chart directory of one ConfigMap whose data is `greeting`, at version 0.1.0. */
  const writeChart = async (path: string, greeting: string) => {
    await mkdir(join(path, "templates"), { recursive: true });
    await writeFile(join(path, "Chart.yaml"), "apiVersion: v2\nname: course\nversion: 0.1.0\n");
    await writeFile(
      join(path, "templates/greeting.yaml"),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\ndata:\n  greeting: ${greeting}\n`,
    );
  };

  it("manages a class, its settings and its charts in place, and reads a cluster as a data source", async () => {
    const chartDir = join(dir, "class-chart");
    await writeChart(chartDir, "hello");
    const classConfig = (lifetime: string, pods = "20") => `terraform {
  required_providers {
    timonier = { source = "timonier/timonier" }
  }
}
provider "timonier" {}
resource "timonier_tenant" "class" {
  name             = "tf-course"
  cluster_lifetime = "${lifetime}"
  budget           = { memory = "2Gi", pods = "${pods}" }
  charts = [
    { name = "web", chart = "web", values = ["replicaCount: 1"] },
    { name = "course", namespace = "labs", chart = "${chartDir}" },
  ]
  timeouts {
    delete = "5m"
  }
}
resource "timonier_cluster" "student" {
  name       = "dana"
  tenant     = timonier_tenant.class.name
  expires_at = "2099-01-01T00:00:00Z"
  timeouts {
    delete = "3m"
  }
}
data "timonier_cluster" "student" {
  id = timonier_cluster.student.id
}
data "timonier_tenant" "class" {
  name       = timonier_tenant.class.name
  depends_on = [timonier_cluster.student]
}
data "timonier_catalog" "charts" {}
output "class" { value = data.timonier_tenant.class }
output "web_version" { value = data.timonier_catalog.charts.versions["web"] }
output "catalog" { value = [for c in data.timonier_catalog.charts.charts : c.name] }
output "token" {
  value     = timonier_tenant.class.teacher_token
  sensitive = true
}
output "server" { value = data.timonier_cluster.student.server }
`;
    await writeFile(join(dir, "main.tf"), classConfig("72h"));
    await terraform("apply", "-auto-approve", "-input=false");
    const outputs = JSON.parse((await terraform("output", "-json")).stdout.replace(/^[^{]*/, ""));
    expect(outputs.server.value).toMatch(/^https:\/\//);
    expect(outputs.class.value).toMatchObject({
      name: "tf-course",
      phase: "Active",
      clusters: 1,
      cluster_lifetime: "72h",
      charts: [
        { name: "web", namespace: "default", chart: "web-0.1.0" },
        { name: "course", namespace: "labs", chart: "course-0.1.0" },
      ],
    });
    expect(Object.keys(outputs.class.value.budget)).toEqual(expect.arrayContaining(["memory", "pods"]));
    expect(outputs.web_version.value).toBe("0.1.0");
    expect(outputs.catalog.value).toEqual(expect.arrayContaining(["batch", "redis", "web"]));
    const asTeacher = platform.as(outputs.token.value as string);
    expect(await (await asTeacher("GET", "/v1/tenants/tf-course")).json()).toMatchObject({
      clusterLifetime: "72h",
      budget: { memory: "2Gi", pods: "20" },
    });
    const listed = (await (await platform.admin("GET", "/v1/clusters?tenant=tf-course")).json()) as {
      items: { expiresAt: string }[];
    };
    expect(listed.items.map((c) => Date.parse(c.expiresAt))).toEqual([Date.parse("2099-01-01T00:00:00Z")]);
    expect((await plan()).code).toBe(0);

    // the class's charts changed through the API: planned back in place
    const tenantCharts = async () =>
      ((await (await platform.admin("GET", "/v1/tenants/tf-course")).json()) as { charts: unknown[] }).charts;
    const configured = await tenantCharts();
    expect(configured).toEqual([
      { name: "web", namespace: "default", catalog: "web", chart: "web-0.1.0", values: { replicaCount: 1 } },
      { name: "course", namespace: "labs", chart: "course-0.1.0" },
    ]);
    const patched = await platform.admin("PATCH", "/v1/tenants/tf-course", {
      charts: [{ name: "web", chart: { catalog: "redis" } }],
    });
    expect(patched.status).toBe(200);
    const drifted = await plan();
    expect(drifted.code).toBe(2);
    expect(drifted.stdout).toContain("timonier_tenant.class will be updated in-place");
    expect(drifted.stdout).toContain('"redis" -> "web"');
    await terraform("apply", "-auto-approve", "-input=false");
    expect(await tenantCharts()).toEqual(configured);
    expect((await plan()).code).toBe(0);

    // a local chart's files edited, its version the same: uploaded again
    await writeChart(chartDir, "bonjour");
    const edited = await plan();
    expect(edited.code).toBe(2);
    expect(edited.stdout).toContain("timonier_tenant.class will be updated in-place");
    await terraform("apply", "-auto-approve", "-input=false");
    expect((await plan()).code).toBe(0);

    // imported by name: the charts as the API has them, an uploaded one by its name-version
    await terraform("state", "rm", "timonier_tenant.class");
    await terraform("import", "-input=false", "timonier_tenant.class", "tf-course");
    const imported = (await terraform("state", "show", "timonier_tenant.class")).stdout;
    expect(imported).toMatch(/chart\s+= "web"/);
    expect(imported).toMatch(/chart\s+= "course-0.1.0"/);
    await terraform("apply", "-auto-approve", "-input=false");
    expect((await plan()).code).toBe(0);

    await writeFile(join(dir, "main.tf"), classConfig("48h", "30"));
    const changed = await plan();
    expect(changed.code).toBe(2);
    expect(changed.stdout).toContain("timonier_tenant.class will be updated in-place");
    expect(changed.stdout).toContain("0 to add, 1 to change, 0 to destroy");
    await terraform("apply", "-auto-approve", "-input=false");
    expect(await (await platform.admin("GET", "/v1/tenants/tf-course")).json()).toMatchObject({
      clusterLifetime: "48h",
      budget: { memory: "2Gi", pods: "30" },
    });
    expect((await plan()).code).toBe(0);

    await terraform("destroy", "-auto-approve", "-input=false");
    expect((await platform.admin("GET", "/v1/tenants/tf-course")).status).toBe(404);
  }, 300_000);
  it("installs a release, upgrades it in place on new values, detects its uninstall, imports it", async () => {
    const releaseConfig = (values: string, name = "web") => `terraform {
  required_providers {
    timonier = { source = "timonier/timonier" }
  }
}
provider "timonier" {}
resource "timonier_cluster" "student" {
  name   = "erin"
  tenant = "tf-class"
}
resource "timonier_release" "web" {
  cluster = timonier_cluster.student.id
  name    = "${name}"
  chart   = "web"
  values  = [${JSON.stringify(values)}]
  set     = { "service.port" = "8080" }
}
output "cluster" { value = timonier_cluster.student.id }
output "release" { value = timonier_release.web.id }
output "revision" { value = timonier_release.web.revision }
`;
    await writeFile(join(dir, "main.tf"), releaseConfig("replicaCount: 1"));
    await terraform("apply", "-auto-approve", "-input=false");
    const outputs = JSON.parse((await terraform("output", "-json")).stdout.replace(/^[^{]*/, ""));
    const cluster = outputs.cluster.value as string;
    expect(outputs.release.value).toBe(`${cluster}/default/web`);
    expect(outputs.revision.value).toBe(1);
    const release = `/v1/clusters/${cluster}/releases/web`;
    expect(await (await platform.admin("GET", release)).json()).toMatchObject({
      revision: 1,
      status: "deployed",
      chart: "web-0.1.0",
      values: { replicaCount: 1, service: { port: 8080 } },
    });
    expect((await plan()).code).toBe(0);

    // new values: one new revision of the same release, nothing re-created
    await writeFile(join(dir, "main.tf"), releaseConfig("replicaCount: 3"));
    const changed = await plan();
    expect(changed.code).toBe(2);
    expect(changed.stdout).toContain("timonier_release.web will be updated in-place");
    expect(changed.stdout).toContain("0 to add, 1 to change, 0 to destroy");
    await terraform("apply", "-auto-approve", "-input=false");
    const history = (await (await platform.admin("GET", `${release}/history`)).json()) as {
      items: { revision: number; values: unknown }[];
    };
    expect(history.items.map((r) => r.revision)).toEqual([1, 2]);
    expect(history.items[1]?.values).toMatchObject({ replicaCount: 3 });
    expect((await plan()).code).toBe(0);

    // values changed through the API: the plan shows them and an apply upgrades back
    const upgraded = await platform.admin("PUT", release, {
      chart: { catalog: "web" },
      values: { replicaCount: 5 },
    });
    expect(upgraded.status).toBe(200);
    const changedOutside = await plan();
    expect(changedOutside.code).toBe(2);
    expect(changedOutside.stdout).toContain("timonier_release.web will be updated in-place");
    expect(changedOutside.stdout).toContain("replicaCount: 5");
    await terraform("apply", "-auto-approve", "-input=false");
    expect(await (await platform.admin("GET", release)).json()).toMatchObject({
      revision: 4,
      values: { replicaCount: 3, service: { port: 8080 } },
    });
    expect((await plan()).code).toBe(0);

    // drift: uninstalled through the API, the release is planned for installation again
    expect((await platform.admin("DELETE", release)).status).toBe(200);
    await expect
      .poll(async () => (await platform.admin("GET", release)).status, { timeout: 30_000, interval: 250 })
      .toBe(404);
    const drifted = await plan();
    expect(drifted.code).toBe(2);
    expect(drifted.stdout).toContain("timonier_release.web will be created");
    await terraform("apply", "-auto-approve", "-input=false");

    // import by <cluster>/<namespace>/<name>: adopted, with nothing more to change
    await terraform("state", "rm", "timonier_release.web");
    await terraform("import", "-input=false", "timonier_release.web", `${cluster}/default/web`);
    const imported = (await terraform("state", "show", "timonier_release.web")).stdout;
    expect(imported).toContain('chart_version = "0.1.0"');
    expect(imported).toMatch(/status\s+= "deployed"/);

    // a new name replaces the release
    await writeFile(join(dir, "main.tf"), releaseConfig("replicaCount: 3", "site"));
    const renamed = await plan();
    expect(renamed.stdout).toContain("timonier_release.web must be replaced");

    // bad values fail at plan, on their attribute
    await writeFile(join(dir, "main.tf"), releaseConfig("- not\n- a mapping"));
    const invalid = await plan();
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain("Error: Invalid values");
    expect(invalid.stdout).toContain("timonier_release.web");

    await writeFile(join(dir, "main.tf"), releaseConfig("replicaCount: 3"));
    await terraform("destroy", "-auto-approve", "-input=false");
    expect((await platform.admin("GET", `/v1/clusters/${cluster}`)).status).toBe(404);
  }, 300_000);
  it("upgrades a release of a local chart whose files change without a version bump", async () => {
    const chartDir = join(dir, "release-chart");
    await writeChart(chartDir, "hello");
    await writeFile(
      join(dir, "main.tf"),
      `terraform {
  required_providers {
    timonier = { source = "timonier/timonier" }
  }
}
provider "timonier" {}
resource "timonier_cluster" "student" {
  name   = "fred"
  tenant = "tf-class"
}
resource "timonier_release" "course" {
  cluster = timonier_cluster.student.id
  name    = "course"
  chart   = "${chartDir}"
}
output "cluster" { value = timonier_cluster.student.id }
`,
    );
    await terraform("apply", "-auto-approve", "-input=false");
    const outputs = JSON.parse((await terraform("output", "-json")).stdout.replace(/^[^{]*/, ""));
    const release = `/v1/clusters/${outputs.cluster.value}/releases/course`;
    const current = async () =>
      (await (await platform.admin("GET", release)).json()) as { revision: number; manifest: string };
    expect(await current()).toMatchObject({
      revision: 1,
      manifest: expect.stringContaining("greeting: hello"),
    });
    expect((await plan()).code).toBe(0);

    await writeChart(chartDir, "bonjour");
    const edited = await plan();
    expect(edited.code).toBe(2);
    expect(edited.stdout).toContain("timonier_release.course will be updated in-place");
    expect(edited.stdout).toContain("chart_digest");
    await terraform("apply", "-auto-approve", "-input=false");
    expect(await current()).toMatchObject({
      revision: 2,
      manifest: expect.stringContaining("greeting: bonjour"),
    });
    expect((await plan()).code).toBe(0);

    await terraform("destroy", "-auto-approve", "-input=false");
  }, 300_000);
  it("makes a class with terraform/examples/classroom: a cluster, a kubeconfig and the course per student", async () => {
    const work = join(dir, "classroom");
    await mkdir(work, { recursive: true });
    const classroom = (students: string[]) => `module "class" {
  source   = "${CLASSROOM}"
  class    = "k8s-101"
  students = ${JSON.stringify(students)}
  chart    = "web"
  values   = ["replicaCount: 1"]
}
output "kubeconfigs" {
  value     = module.class.kubeconfigs
  sensitive = true
}
output "servers" { value = module.class.servers }
`;
    const inClass = (...args: string[]) => terraformIn(work, join(dir, "cli.tfrc"), ...args);
    await writeFile(join(work, "main.tf"), classroom(["alice", "bob"]));
    await inClass("get"); // the local module; dev_overrides stands for the provider, with no init
    await inClass("apply", "-auto-approve", "-input=false");
    const outputs = JSON.parse((await inClass("output", "-json")).stdout.replace(/^[^{]*/, ""));
    expect(Object.keys(outputs.kubeconfigs.value).sort()).toEqual(["alice", "bob"]);
    const clusters = async () =>
      (
        (await (await platform.admin("GET", "/v1/clusters?tenant=k8s-101")).json()) as {
          items: { id: string; name: string; phase: string }[];
        }
      ).items.filter((c) => c.phase !== "Terminating");
    const before = await clusters();
    for (const [student, yaml] of Object.entries(outputs.kubeconfigs.value as Record<string, string>)) {
      const path = join(work, `${student}.yaml`);
      await writeFile(path, yaml);
      expect((await kubectl(path, ["get", "namespaces", "-o", "name"])).stdout).toContain(
        "namespace/default",
      );
      const id = before.find((c) => c.name === student)?.id;
      expect(await (await platform.admin("GET", `/v1/clusters/${id}/releases/course`)).json()).toMatchObject({
        status: "deployed",
        chart: "web-0.1.0",
      });
    }
    expect(outputs.servers.value.alice).toMatch(/^https:\/\//);

    // removing a student deletes that student's cluster and release only
    await writeFile(join(work, "main.tf"), classroom(["alice"]));
    const shrink = await inClass("apply", "-auto-approve", "-input=false");
    expect(shrink.stdout).toContain("0 added, 0 changed, 2 destroyed");
    const after = await clusters();
    expect(after.map((c) => c.id)).toEqual(before.filter((c) => c.name === "alice").map((c) => c.id));

    await inClass("destroy", "-auto-approve", "-input=false");
    expect((await platform.admin("GET", "/v1/tenants/k8s-101")).status).toBe(404);
  }, 300_000);
});
