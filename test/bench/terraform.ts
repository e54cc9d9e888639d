import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { buildProvider } from "../../terraform/provider/build";
import type { TestPlatform } from "../support/platform";

const run = promisify(execFile);
const TERRAFORM = ["/usr/local/bin/terraform", "/usr/bin/terraform"].find((p) => existsSync(p));
const CLASSROOM = resolve(import.meta.dirname, "../../terraform/examples/classroom");
/** The class size: `BENCH_TF_STUDENTS=30`. */
const STUDENTS = Number(process.env.BENCH_TF_STUDENTS ?? 30);

export interface TerraformFigures {
  students: number;
  /** `terraform apply` of terraform/examples/classroom from an empty state. */
  applyMs: number;
  /** As many POST /v1/clusters and GET …/kubeconfig at once, straight to the API. */
  apiCreateMs: number;
  /** `terraform plan` on the applied class, which finds nothing to change. */
  planMs: number;
  /** As many GET /v1/clusters/{id} at once: what the plan's refresh reads. */
  apiReadMs: number;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function deleteClass(platform: TestPlatform, tenant: string) {
  await platform.admin("DELETE", `/v1/tenants/${tenant}`);
  while ((await platform.admin("GET", `/v1/tenants/${tenant}`)).status !== 404)
    await new Promise((r) => setTimeout(r, 500));
}

/** The same class made by direct API calls, all at once, then read back at once. */
async function baseline(platform: TestPlatform, names: string[]) {
  const tenant = "bench-tf-api";
  const ids: string[] = [];
  const apiCreateMs = await timed(() =>
    Promise.all(
      names.map(async (name) => {
        const res = await platform.admin("POST", "/v1/clusters", { name, tenant });
        if (res.status !== 201) throw new Error(`cluster ${name}: ${res.status} ${await res.text()}`);
        const { id } = (await res.json()) as { id: string };
        ids.push(id);
        await (await platform.admin("GET", `/v1/clusters/${id}/kubeconfig`)).text();
      }),
    ),
  );
  const apiReadMs = await timed(() =>
    Promise.all(ids.map(async (id) => (await platform.admin("GET", `/v1/clusters/${id}`)).arrayBuffer())),
  );
  await deleteClass(platform, tenant);
  return { apiCreateMs, apiReadMs };
}

/** terraform/examples/classroom with a class of STUDENTS, applied from an empty state, then planned again. */
export async function terraformClass(platform: TestPlatform): Promise<TerraformFigures> {
  if (!TERRAFORM) throw new Error("BENCH_ONLY=terraform needs the terraform binary");
  const names = Array.from({ length: STUDENTS }, (_, i) => `s${String(i).padStart(3, "0")}`);
  const dir = await mkdtemp(join(tmpdir(), "bench-tf-"));
  try {
    const bin = join(dir, "bin");
    await buildProvider(bin);
    await writeFile(
      join(dir, "cli.tfrc"),
      `provider_installation {\n  dev_overrides {\n    "timonier/timonier" = "${bin}"\n  }\n  direct {}\n}\n`,
    );
    await writeFile(
      join(dir, "main.tf"),
      `module "class" {\n  source   = "${CLASSROOM}"\n  class    = "bench-tf"\n  students = ${JSON.stringify(names)}\n}\n`,
    );
    const terraform = (...args: string[]) =>
      run(TERRAFORM, [...args, "-no-color"], {
        cwd: dir,
        env: {
          ...process.env,
          TF_IN_AUTOMATION: "1",
          TF_CLI_CONFIG_FILE: join(dir, "cli.tfrc"),
          TIMONIER_URL: platform.url,
          TIMONIER_TOKEN: platform.adminToken,
        },
        maxBuffer: 64 * 1024 * 1024,
      });
    await terraform("get"); // the local module; dev_overrides stands for the provider, with no init
    const { apiCreateMs, apiReadMs } = await baseline(platform, names);
    const applyMs = await timed(() => terraform("apply", "-auto-approve", "-input=false"));
    const planMs = await timed(async () => {
      const { stdout } = await terraform("plan", "-detailed-exitcode", "-input=false");
      if (!stdout.includes("No changes")) throw new Error(`the second plan is not empty:\n${stdout}`);
    });
    await terraform("destroy", "-auto-approve", "-input=false");
    return { students: STUDENTS, applyMs, apiCreateMs, planMs, apiReadMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function terraformRows(f: TerraformFigures): (string | number)[][] {
  return [
    [
      `apply, class of ${f.students}`,
      Math.round(f.applyMs),
      "API creates at once",
      Math.round(f.apiCreateMs),
      (f.applyMs / f.apiCreateMs).toFixed(2),
    ],
    [
      "plan, no change",
      Math.round(f.planMs),
      "API reads at once",
      Math.round(f.apiReadMs),
      (f.planMs / f.apiReadMs).toFixed(2),
    ],
  ];
}
