import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectPath } from "../../core/paths";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { LABEL } from "../../workers/node-agent/runtime";
import { freePort } from "../support/platform";

/**
 * Every live process whose command line or process group says it is this run's. Zombies are not: they
 * run nothing, and on a machine whose pid 1 does not reap orphans they stay listed for good.
 */
function ours(group: number, dataDir: string): string[] {
  return execFileSync("ps", ["-eo", "pid=,pgid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .filter((line) => {
      const [, pgid, stat, ...args] = line.trim().split(/\s+/);
      if (!stat || stat.startsWith("Z")) return false;
      return Number(pgid) === group || args.join(" ").includes(dataDir);
    });
}

function waitFor(child: ChildProcess, output: () => string, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${text}" within ${timeoutMs} ms:\n${output()}`)),
      timeoutMs,
    );
    const check = () => {
      if (output().includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (output().includes(text)) resolve();
      else reject(new Error(`npm start exited (${code}) before "${text}":\n${output()}`));
    });
  });
}

/**
 * `npm start` and Ctrl-C as a terminal sends it (SIGINT to the whole foreground process group): the API,
 * the workers, and the Postgres and Redis it started are all gone afterwards. It runs on a data folder and
 * ports of its own, with the shared Docker engine given, so it starts its own Postgres and Redis only.
 */
describe("npm start, then Ctrl-C", () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  const nodeName = `start-stop-${randomBytes(3).toString("hex")}`;

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    const docker = dockerFromHost(process.env.DOCKER_HOST ?? "");
    for (const c of await docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.node}=${nodeName}`] },
    }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("stops everything it started and says so", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "timonier-start-"));
    // Postgres runs as its own user, which must reach its folder inside this one
    await chmod(dataDir, 0o755);
    const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
    const env = {
      ...inherited,
      TIMONIER_DATA_DIR: dataDir,
      TIMONIER_PG_PORT: String(await freePort()),
      TIMONIER_REDIS_PORT: String(await freePort()),
      TIMONIER_PORT: String(await freePort()),
      TIMONIER_TLS_PORT: String(await freePort()),
      TIMONIER_INGRESS_PORT: String(await freePort()),
      TIMONIER_INGRESS_TLS_PORT: String(await freePort()),
      TIMONIER_NODE_NAME: nodeName,
      TIMONIER_CLUSTER_NETWORK_POOL: "10.124.0.0/14",
      TIMONIER_LOADBALANCER_POOL: "127.63.0.0/16",
    };
    let output = "";
    child = spawn(
      process.execPath,
      [projectPath("node_modules", "tsx", "dist", "cli.mjs"), "infra/local/start.ts"],
      {
        cwd: projectPath(),
        env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const group = child.pid ?? 0;
    await waitFor(child, () => output, "Timonier is up", 240_000);
    expect(ours(group, dataDir).length).toBeGreaterThanOrEqual(4);

    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    process.kill(-group, "SIGINT");
    expect(await exited).toBe(0);
    expect(output).toContain("Stopping Timonier…");
    expect(output).toMatch(/Stopped the API and the workers, and (redis, postgres|postgres, redis)\./);
    expect(ours(group, dataDir)).toEqual([]);
  }, 300_000);
});
