import { type ChildProcess, execFile, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, statSync } from "node:fs";
import { appendFile, chown, mkdir } from "node:fs/promises";
import { request } from "node:http";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import postgres from "postgres";

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export interface LocalStack {
  databaseUrl: string;
  redisUrl: string;
  dockerHost: string;
  dataDir: string;
  /** Stops what this call started; services found already running are left alone. */
  stop(): Promise<void>;
}

function say(message: string): void {
  process.stderr.write(`timonier: ${message}\n`);
}

async function wait(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s`);
}

function postgresBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], "bin") : undefined;
}

async function which(binary: string): Promise<boolean> {
  return run("sh", ["-c", `command -v ${binary}`]).then(
    () => true,
    () => false,
  );
}

/** Installs the Debian packages behind the services that are not given by URL and not installed. */
async function ensurePackages(need: { postgres: boolean; redis: boolean; docker: boolean }, logs: string) {
  const missing: string[] = [];
  if (need.postgres && !postgresBin()) missing.push("postgresql");
  if (need.redis && !(await which("redis-server"))) missing.push("redis-server");
  if (need.docker && !(await which("dockerd"))) missing.push("docker.io");
  if (!(await which("debootstrap"))) missing.push("debootstrap");
  if (missing.length === 0) return;
  const root = process.getuid?.() === 0;
  if (!root || !(await which("apt-get"))) {
    throw new Error(
      `missing: ${missing.join(", ")}. Install them (Debian: apt-get install ${missing.join(" ")}), ` +
        "or point DATABASE_URL, REDIS_URL and DOCKER_HOST at running services.",
    );
  }
  say(`installing ${missing.join(", ")} with apt-get (log: ${logs}/apt.log)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const log = join(logs, "apt.log");
  const update = await run("apt-get", ["update"], { env, maxBuffer: 64 << 20 });
  await appendFile(log, update.stdout + update.stderr);
  const install = await run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], {
    env,
    maxBuffer: 64 << 20,
  });
  await appendFile(log, install.stdout + install.stderr);
}

/** Spawns a service detached (its own process group: Ctrl-C reaches us, we stop it in order). */
function spawnService(
  command: string,
  args: string[],
  log: string,
  ids: { uid?: number; gid?: number } = {},
) {
  const fd = openSync(log, "a");
  try {
    return spawn(command, args, { ...ids, stdio: ["ignore", fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
}

async function startPostgres(dataDir: string, port: number, logs: string): Promise<ChildProcess | undefined> {
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const ready = async () => {
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return true;
    } finally {
      await sql.end();
    }
  };
  if (await ready().catch(() => false)) {
    say(`reusing Postgres on 127.0.0.1:${port}`);
    return undefined;
  }
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed");
  const dir = join(dataDir, "postgres");
  const { uid, gid } = statSync("/var/lib/postgresql");
  const asPostgres = process.getuid?.() === 0 ? { uid, gid } : {};
  if (!existsSync(join(dir, "PG_VERSION"))) {
    say("initialising Postgres…");
    await mkdir(dir, { recursive: true });
    if (process.getuid?.() === 0) await chown(dir, uid, gid);
    await new Promise<void>((ok, fail) => {
      const init = spawn(join(bin, "initdb"), ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8"], {
        ...asPostgres,
        stdio: "ignore",
      });
      init.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`initdb exited with ${code}`))));
    });
  }
  const child = spawnService(
    join(bin, "postgres"),
    [
      "-D",
      dir,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=300",
    ],
    join(logs, "postgres.log"),
    asPostgres,
  );
  await wait("Postgres", ready);
  return child;
}

async function startRedis(dataDir: string, port: number, logs: string): Promise<ChildProcess | undefined> {
  const url = `redis://127.0.0.1:${port}`;
  const ready = async () => {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on("error", () => {});
    try {
      await redis.connect();
      return (await redis.ping()) === "PONG";
    } finally {
      redis.disconnect();
    }
  };
  if (await ready().catch(() => false)) {
    say(`reusing Redis on 127.0.0.1:${port}`);
    return undefined;
  }
  const dir = join(dataDir, "redis");
  await mkdir(dir, { recursive: true });
  const child = spawnService(
    "redis-server",
    ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--appendonly", "yes", "--save", ""],
    join(logs, "redis.log"),
  );
  await wait("Redis", ready);
  return child;
}

function pingDocker(socket: string): Promise<boolean> {
  return new Promise((ok) => {
    const req = request({ socketPath: socket, path: "/_ping", timeout: 2000 }, (res) => {
      res.resume();
      ok(res.statusCode === 200);
    });
    req.on("error", () => ok(false));
    req.on("timeout", () => {
      req.destroy();
      ok(false);
    });
    req.end();
  });
}

async function startDocker(logs: string): Promise<ChildProcess | undefined> {
  const socket = "/var/run/docker.sock";
  if (await pingDocker(socket)) {
    say("reusing the Docker engine at /var/run/docker.sock");
    return undefined;
  }
  say("starting dockerd…");
  const child = spawnService("dockerd", ["--host", `unix://${socket}`], join(logs, "dockerd.log"));
  await wait("dockerd", () => pingDocker(socket));
  return child;
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
    child.kill(signal);
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  });
}

/**
 * Brings up what Timonier needs on this machine: Postgres, Redis and a Docker engine, each reused when
 * already running (or given by DATABASE_URL, REDIS_URL, DOCKER_HOST), else installed with apt-get and
 * started with its data under the data folder. A second call on the same data is fast.
 */
export async function ensureLocalStack(): Promise<LocalStack> {
  const dataDir = resolve(ROOT, process.env.TIMONIER_DATA_DIR ?? ".timonier");
  const logs = join(dataDir, "logs");
  await mkdir(logs, { recursive: true });
  const given = {
    postgres: process.env.DATABASE_URL,
    redis: process.env.REDIS_URL,
    docker: process.env.DOCKER_HOST,
  };
  await ensurePackages({ postgres: !given.postgres, redis: !given.redis, docker: !given.docker }, logs);

  const started: [ChildProcess, NodeJS.Signals][] = [];
  const pgPort = Number(process.env.TIMONIER_PG_PORT ?? 54329);
  const redisPort = Number(process.env.TIMONIER_REDIS_PORT ?? 6390);
  let databaseUrl = given.postgres;
  if (!databaseUrl) {
    const pg = await startPostgres(dataDir, pgPort, logs);
    if (pg) started.push([pg, "SIGINT"]);
    const admin = postgres(`postgres://postgres@127.0.0.1:${pgPort}/postgres`, {
      max: 1,
      onnotice: () => {},
    });
    const [exists] = await admin`select 1 from pg_database where datname = 'timonier'`;
    if (!exists) await admin`create database timonier`;
    await admin.end();
    databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/timonier`;
  }
  let redisUrl = given.redis;
  if (!redisUrl) {
    const redis = await startRedis(dataDir, redisPort, logs);
    if (redis) started.push([redis, "SIGTERM"]);
    redisUrl = `redis://127.0.0.1:${redisPort}`;
  }
  let dockerHost = given.docker;
  if (!dockerHost) {
    const docker = await startDocker(logs);
    if (docker) started.push([docker, "SIGTERM"]);
    dockerHost = "unix:///var/run/docker.sock";
  }
  return {
    databaseUrl,
    redisUrl,
    dockerHost,
    dataDir,
    async stop() {
      for (const [child, signal] of started.reverse()) await stopChild(child, signal);
    },
  };
}
