import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import postgres from "postgres";
import { projectPath } from "../../../core/paths";
import { buildProcesses } from "../../../infra/build/processes";
import { queueOf } from "../../../workers/controller";
import { DECLARED } from "../../../workers/controllers";
import { SIMULATED_SCHEME } from "../../../workers/node-agent/simulated/host";
import { createTestDatabase, requireEnv } from "../../support/database";
import { freePort, tokenOf } from "../../support/platform";

export interface BenchCluster {
  id: string;
  token: string;
}

/** CPU seconds (user + system) each process used so far. */
export type CpuSeconds = Record<"api" | "workers", number>;

/**
 * The platform as `npm start` runs it, one API and one worker process from the bundles, against a database
 * of its own, its node simulated (DOCKER_HOST=simulated://): the control plane alone, in processes apart
 * from the bench's load, so their CPU is theirs. BENCH_PROFILE=<dir> has both write a V8 CPU profile there.
 */
export interface SimulatedPlatform {
  url: string;
  nodeName: string;
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** `count` clusters named `<prefix>-<i>`, `concurrency` creations at a time. */
  createClusters(prefix: string, count: number, concurrency?: number): Promise<BenchCluster[]>;
  cpuSeconds(): Promise<CpuSeconds>;
  /** Waits (5 min at most) until no queue has had work for 3 s; what is left in the queues. */
  settle(): Promise<Record<string, number>>;
  /** Jobs waiting or active (not those delayed), per queue that has any. */
  queueDepths(): Promise<Record<string, number>>;
  /** Jobs ever added per queue (BullMQ's id counter): a difference of two readings is the work between. */
  jobsAdded(): Promise<Record<string, number>>;
  databaseBytes(): Promise<number>;
  /** Bytes Redis holds for this platform's keys (MEMORY USAGE of each). */
  redisBytes(): Promise<number>;
  /** What this platform's Postgres sessions are doing now: `state/wait event` → how many. */
  postgresActivity(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const CLOCK_TICKS = 100;

async function cpuOf(child: ChildProcess): Promise<number> {
  const stat = await readFile(`/proc/${child.pid}/stat`, "utf8");
  // after the command's closing parenthesis: state is field 3, utime and stime fields 14 and 15
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

async function waitHealthy(url: string, children: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (children.some((c) => c.exitCode !== null)) throw new Error("a platform process exited at start");
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the simulated platform did not become healthy");
}

export async function startSimulatedPlatform(env: Record<string, string> = {}): Promise<SimulatedPlatform> {
  await buildProcesses();
  const suffix = randomBytes(4).toString("hex");
  const database = await createTestDatabase(`sim_${suffix}`);
  const workDir = await mkdtemp(join(tmpdir(), "timonier-bench-"));
  const port = await freePort();
  const adminToken = randomBytes(24).toString("hex");
  const nodeName = `bench-sim-${suffix}`;
  const queuePrefix = `bench-${suffix}`;
  const redisUrl = requireEnv("REDIS_URL");
  const profileDir = process.env.BENCH_PROFILE;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    DOCKER_HOST: SIMULATED_SCHEME,
    TIMONIER_SIMULATED_NODES: "true",
    TIMONIER_PORT: String(port),
    TIMONIER_TLS_PORT: String(await freePort()),
    TIMONIER_DATA_DIR: workDir,
    TIMONIER_ADMIN_TOKEN: adminToken,
    TIMONIER_NODE_NAME: nodeName,
    TIMONIER_QUEUE_PREFIX: queuePrefix,
    TIMONIER_INGRESS_PORT: String(await freePort()),
    TIMONIER_INGRESS_TLS_PORT: String(await freePort()),
    ...env,
  };
  const start = (name: string) =>
    spawn(
      process.execPath,
      [
        "--enable-source-maps",
        ...(profileDir
          ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]
          : []),
        projectPath(`dist/${name}.mjs`),
      ],
      { env: childEnv, stdio: ["ignore", "ignore", "inherit"] },
    );
  const processes = { api: start("api"), workers: start("workers") };
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, Object.values(processes));

  const redis = new Redis(redisUrl);
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const queues = DECLARED.map((c) => queueOf(c, nodeName));
  const queueDepths = async (): Promise<Record<string, number>> => {
    const depths: Record<string, number> = {};
    for (const q of queues) {
      const key = (k: string) => `${queuePrefix}:${q}:${k}`;
      const [wait, active, prioritized] = await Promise.all([
        redis.llen(key("wait")),
        redis.llen(key("active")),
        redis.zcard(key("prioritized")),
      ]);
      const n = wait + active + prioritized;
      if (n) depths[q] = n;
    }
    return depths;
  };

  return {
    url,
    nodeName,
    admin,
    async createClusters(prefix, count, concurrency = 8) {
      const out: BenchCluster[] = new Array(count);
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < count; i = next++) {
            const res = await admin("POST", "/v1/clusters", { name: `${prefix}-${i}` });
            if (res.status !== 201) throw new Error(`create cluster: ${res.status} ${await res.text()}`);
            const body = (await res.json()) as { id: string; kubeconfig: string };
            out[i] = { id: body.id, token: tokenOf(body.kubeconfig) };
          }
        }),
      );
      return out;
    },
    async cpuSeconds() {
      return { api: await cpuOf(processes.api), workers: await cpuOf(processes.workers) };
    },
    async settle() {
      const deadline = Date.now() + 300_000;
      let depths: Record<string, number> = {};
      for (let quiet = 0; quiet < 3 && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 1000));
        depths = await queueDepths();
        quiet = Object.keys(depths).length ? 0 : quiet + 1;
      }
      return depths;
    },
    queueDepths,
    async jobsAdded() {
      const ids = await Promise.all(queues.map((q) => redis.get(`${queuePrefix}:${q}:id`)));
      return Object.fromEntries(queues.map((q, i) => [q, Number(ids[i] ?? 0)]));
    },
    async databaseBytes() {
      const [row] = await sql<{ bytes: string }[]>`select pg_database_size(current_database()) as bytes`;
      return Number(row?.bytes ?? 0);
    },
    async redisBytes() {
      let total = 0;
      let cursor = "0";
      do {
        const [nextCursor, keys] = await redis.scan(cursor, "MATCH", `${queuePrefix}:*`, "COUNT", 1000);
        cursor = nextCursor;
        for (const k of keys) total += (await redis.memory("USAGE", k)) ?? 0;
      } while (cursor !== "0");
      return total;
    },
    async postgresActivity() {
      const rows = await sql<{ what: string; n: number }[]>`
        select coalesce(state, '?') || '/' || coalesce(wait_event_type || ':' || wait_event, 'cpu') as what,
          count(*)::int as n
        from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
        group by 1`;
      return Object.fromEntries(rows.map((r) => [r.what, r.n]));
    },
    async close() {
      const exited = Object.values(processes).map(
        (p) => new Promise((resolve) => (p.exitCode !== null ? resolve(null) : p.once("exit", resolve))),
      );
      for (const p of Object.values(processes)) p.kill("SIGTERM");
      await Promise.all(exited);
      await sql.end();
      const keys: string[] = [];
      let cursor = "0";
      do {
        const [nextCursor, found] = await redis.scan(cursor, "MATCH", `${queuePrefix}:*`, "COUNT", 1000);
        cursor = nextCursor;
        keys.push(...found);
      } while (cursor !== "0");
      for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
      redis.disconnect();
      await database.drop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
