import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const run = promisify(execFile);
const TERRAFORM = ["/usr/local/bin/terraform", "/usr/bin/terraform"].find((p) => existsSync(p));
const MODULE = resolve(import.meta.dirname, "../../terraform/classroom");

/** The classroom module, applied and destroyed by the real Terraform against a running platform. */
describe.skipIf(!TERRAFORM)("terraform/classroom", () => {
  let platform: TestPlatform;
  let dir: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    dir = await mkdtemp(join(tmpdir(), "classroom-"));
    await writeFile(
      join(dir, "main.tf"),
      `module "class" {
  source      = "${MODULE}"
  api_url     = "${platform.url}"
  admin_token = "${platform.adminToken}"
  class       = "k8s-101"
  students    = ["alice", "bob"]
  kubeconfig_dir = "${dir}/kubeconfigs"
}
output "kubeconfigs" { value = module.class.kubeconfigs }
`,
    );
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const terraform = (...args: string[]) =>
    run(TERRAFORM as string, args, {
      cwd: dir,
      env: { ...process.env, TF_IN_AUTOMATION: "1" },
      timeout: 120_000,
    });

  it("creates a cluster and a kubeconfig per student, and tears them down", async () => {
    await terraform("init", "-input=false", "-no-color");
    await terraform("apply", "-auto-approve", "-input=false", "-no-color");
    const outputs = JSON.parse((await terraform("output", "-json")).stdout);
    const kubeconfigs = outputs.kubeconfigs.value as Record<string, string>;
    expect(Object.keys(kubeconfigs).sort()).toEqual(["alice", "bob"]);
    for (const path of Object.values(kubeconfigs)) {
      const ns = await kubectl(path, ["get", "namespaces", "-o", "name"]);
      expect(ns.stdout).toContain("namespace/default");
    }
    const listed = (await (await platform.admin("GET", "/v1/clusters")).json()) as {
      items: { name: string; tenant: string }[];
    };
    expect(
      listed.items
        .filter((c) => c.tenant === "k8s-101")
        .map((c) => c.name)
        .sort(),
    ).toEqual(["alice", "bob"]);

    await terraform("destroy", "-auto-approve", "-input=false", "-no-color");
    expect(existsSync(kubeconfigs.alice as string)).toBe(false);
    const after = (await (await platform.admin("GET", "/v1/clusters")).json()) as {
      items: { name: string; tenant: string; phase: string }[];
    };
    expect(after.items.filter((c) => c.tenant === "k8s-101" && c.phase !== "Terminating")).toEqual([]);
  }, 240_000);
});
