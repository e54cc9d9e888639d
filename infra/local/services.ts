import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, statSync } from "node:fs";
import { appendFile, chmod, chown, link, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
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
  /**
   * Stops what this call started, in reverse order, and waits for each: services found already running
   * are left alone. Resolves with the names of those it stopped.
   */
  stop(): Promise<string[]>;
  /** Starts again any service this call started that dies, as a supervisor would, until `stop`. */
  supervise(log: (message: string) => void): void;
}

/** A service this process started: how to stop it, and how to start it again. */
interface Started {
  name: string;
  child: ChildProcess;
  signal: NodeJS.Signals;
  restart(): Promise<ChildProcess | undefined>;
}

function say(message: string): void {
  process.stderr.write(`timonier: ${message}\n`);
}

/** A service that answers but refuses our credentials: waiting longer will not help. */
class Refused extends Error {}

async function wait(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await check().catch((err) => {
      if (err instanceof Refused) throw err;
      return false;
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s`);
}

function errorCode(err: unknown): string {
  return String((err as { code?: unknown }).code ?? "");
}

/**
 * A secret generated once into `<data>/secrets/<name>` (folder 0700, file 0600) and read back afterwards.
 * Written under a temporary name and linked into place, so two stacks starting at once agree on one value.
 */
async function secret(dataDir: string, name: string): Promise<string> {
  const dir = join(dataDir, "secrets");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const path = join(dir, name);
  const read = async () => {
    const value = (await readFile(path, "utf8")).trim();
    if (!value) throw new Error(`${path} is empty: delete it to generate a new one`);
    return value;
  };
  if (existsSync(path)) return read();
  const value = randomBytes(24).toString("base64url");
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${value}\n`, { mode: 0o600 });
  try {
    await link(tmp, path);
    return value;
  } catch (err) {
    if (errorCode(err) === "EEXIST") return read();
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
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
  await aptInstall(missing, logs, "or point DATABASE_URL, REDIS_URL and DOCKER_HOST at running services.");
}

/** Installs Debian packages with apt-get as root (its output into `<logs>/apt.log`); elsewhere says what to install. */
async function aptInstall(missing: string[], logs: string, otherwise: string): Promise<void> {
  if (missing.length === 0) return;
  const root = process.getuid?.() === 0;
  if (!root || !(await which("apt-get"))) {
    throw new Error(
      `missing: ${missing.join(", ")}. Install them (Debian: apt-get install ${missing.join(" ")}), ${otherwise}`,
    );
  }
  await mkdir(logs, { recursive: true });
  say(`installing ${missing.join(", ")} with apt-get (log: ${logs}/apt.log)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const log = join(logs, "apt.log");
  // another apt (an unattended upgrade, a second suite) may hold dpkg's lock for a while: wait for it
  const wait = ["-o", "DPkg::Lock::Timeout=300"];
  const update = await run("apt-get", [...wait, "update"], { env, maxBuffer: 64 << 20 });
  await appendFile(log, update.stdout + update.stderr);
  const install = await run("apt-get", [...wait, "install", "-y", "--no-install-recommends", ...missing], {
    env,
    maxBuffer: 64 << 20,
  });
  await appendFile(log, install.stdout + install.stderr);
}

/**
 * Debian's headless-capable Chromium, for the suites that look at the teacher's page in a real browser:
 * `chromium` (CHROMIUM overrides the binary), installed with apt-get when missing, with a font so that
 * pages have text to show. Resolves with the command to run.
 */
export async function ensureChromium(): Promise<string> {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  if (!(await which("chromium")))
    await aptInstall(
      ["chromium", "fonts-dejavu-core"],
      join(resolve(ROOT, process.env.TIMONIER_DATA_DIR ?? ".timonier"), "logs"),
      "or set CHROMIUM to a Chromium or Chrome binary.",
    );
  return "chromium";
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

/** The role the platform connects as: owns its database, may create the test platforms' ones, nothing more. */
const PLATFORM_ROLE = "timonier";
const PLATFORM_ROLE_ATTRIBUTES = "login nosuperuser createdb nocreaterole noreplication nobypassrls";
/** Held while one stack configures roles, so that stacks starting side by side do not race on pg_authid. */
const SETUP_LOCK = 7262;

/** Every connection proves a password; what an earlier version's `initdb --auth=trust` wrote is replaced. */
const PG_HBA = `# Written by Timonier's local stack (infra/local/services.ts): every connection proves a password.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  scram-sha-256
host    all       all   127.0.0.1/32   scram-sha-256
host    all       all   ::1/128        scram-sha-256
`;

interface PostgresSecrets {
  /** The `postgres` superuser's: only this script administers with it. */
  superuser: string;
  /** The platform role's, carried by DATABASE_URL. */
  platform: string;
  superuserFile: string;
}

/**
 * A SCRAM-SHA-256 verifier in the form Postgres stores (RFC 5802/7677): ALTER ROLE takes it as is, so the
 * password itself never reaches the server or its log.
 */
function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const hmac = (text: string) => createHmac("sha256", salted).update(text).digest();
  const storedKey = createHash("sha256").update(hmac("Client Key")).digest();
  const serverKey = hmac("Server Key");
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** Whether a stored verifier is the one of this password (so a second start changes nothing). */
function verifierMatches(stored: string | null | undefined, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored ?? "");
  if (!m?.[1] || !m[2]) return false;
  return scramVerifier(password, Buffer.from(m[2], "base64"), Number(m[1])) === stored;
}

function pgConnect(port: number, user: string, password: string | undefined, database = "postgres") {
  return postgres({
    host: "127.0.0.1",
    port,
    user,
    password,
    database,
    max: 1,
    connect_timeout: 2,
    onnotice: () => {},
  });
}

/** 28P01: wrong password; 28000: no pg_hba.conf entry lets this user in. */
const AUTH_REFUSED = new Set(["28P01", "28000"]);

/** Whether Postgres answers the superuser; false while down or starting; Refused when it rejects the password. */
async function postgresUp(port: number, secrets: PostgresSecrets): Promise<boolean> {
  const sql = pgConnect(port, "postgres", secrets.superuser);
  try {
    await sql`select 1`;
    return true;
  } catch (err) {
    if (AUTH_REFUSED.has(errorCode(err)))
      throw new Refused(
        `Postgres on 127.0.0.1:${port} refuses the superuser password kept in ${secrets.superuserFile} ` +
          `(${(err as Error).message}): restore the file this server's data folder was secured with, or set ` +
          "TIMONIER_DATA_DIR and TIMONIER_PG_PORT to use another one.",
      );
    return false;
  } finally {
    await sql.end();
  }
}

/** Whether the server still lets the superuser in without a password (trust). */
async function postgresTrusts(port: number): Promise<boolean> {
  const sql = pgConnect(port, "postgres", undefined);
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end();
  }
}

async function initdb(bin: string, dir: string, password: string, ids: { uid?: number; gid?: number }) {
  // initdb runs as the postgres user and reads the superuser's password from a file it can read
  const tmp = await mkdtemp(join(tmpdir(), "timonier-initdb-"));
  const pwfile = join(tmp, "password");
  try {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids.uid !== undefined && ids.gid !== undefined) {
      await chown(tmp, ids.uid, ids.gid);
      await chown(pwfile, ids.uid, ids.gid);
    }
    const args = ["-D", dir, "-U", "postgres", "--auth-local=scram-sha-256", "--auth-host=scram-sha-256"];
    await new Promise<void>((ok, fail) => {
      const init = spawn(join(bin, "initdb"), [...args, `--pwfile=${pwfile}`, "-E", "UTF8"], {
        ...ids,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let said = "";
      init.stderr?.on("data", (chunk: Buffer) => {
        said += chunk.toString();
      });
      init.on("exit", (code) =>
        code === 0 ? ok() : fail(new Error(`initdb exited with ${code}: ${said.trim().split("\n").at(-1)}`)),
      );
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function startPostgres(
  dataDir: string,
  port: number,
  logs: string,
  secrets: PostgresSecrets,
): Promise<ChildProcess | undefined> {
  if (await postgresUp(port, secrets)) {
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
    await initdb(bin, dir, secrets.superuser, asPostgres);
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
  await waitStarted(child, "SIGINT", "Postgres", () => postgresUp(port, secrets));
  return child;
}

/**
 * Gives the platform role what the superuser owns in its database: a data folder from an earlier version
 * ran the migrations as `postgres`. ALTER TABLE carries a table's indexes and owned sequences along.
 */
async function handOverDatabase(port: number, secrets: PostgresSecrets): Promise<void> {
  const sql = pgConnect(port, "postgres", secrets.superuser, PLATFORM_ROLE);
  const mine = "n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'";
  const statements = [
    `select format('alter schema %I owner to ${PLATFORM_ROLE}', n.nspname) as statement from pg_namespace n
      where n.nspowner = 'postgres'::regrole and ${mine}`,
    `select format('alter %s %s owner to ${PLATFORM_ROLE}',
        case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table'
        else 'table' end, c.oid::regclass) as statement
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relowner = 'postgres'::regrole and c.relkind in ('r', 'p', 'v', 'm', 'f') and ${mine}`,
    // what is left: sequences no column owns
    `select format('alter sequence %s owner to ${PLATFORM_ROLE}', c.oid::regclass) as statement
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relowner = 'postgres'::regrole and c.relkind = 'S' and ${mine}`,
    `select format('alter %s %s owner to ${PLATFORM_ROLE}', case t.typtype when 'd' then 'domain' else 'type' end,
        t.oid::regtype) as statement
      from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where t.typowner = 'postgres'::regrole and t.typtype in ('e', 'd') and ${mine}`,
    `select format('alter routine %s owner to ${PLATFORM_ROLE}', p.oid::regprocedure) as statement
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.proowner = 'postgres'::regrole and p.prokind in ('f', 'p') and ${mine}`,
  ];
  try {
    await sql.begin(async (tx) => {
      for (const query of statements)
        for (const { statement } of await tx.unsafe<{ statement: string }[]>(query))
          await tx.unsafe(statement);
    });
  } finally {
    await sql.end();
  }
}

/**
 * Brings the server to what the platform may rely on, idempotently: the superuser and the platform role
 * with the generated passwords, that role neither a superuser nor a member of any role (so no
 * `COPY … PROGRAM`, no server files), owning the `timonier` database, and pg_hba.conf demanding a password
 * for every connection. A data folder an earlier version initialised with `trust` is upgraded here, through
 * the trust it still grants, pg_hba.conf last, so an interrupted upgrade is finished by the next start.
 */
async function securePostgres(port: number, secrets: PostgresSecrets): Promise<void> {
  const admin = pgConnect(port, "postgres", secrets.superuser);
  try {
    await admin`select pg_advisory_lock(${SETUP_LOCK})`;
    const roles = await admin<
      {
        rolname: string;
        rolpassword: string | null;
        rolsuper: boolean;
        rolcreatedb: boolean;
        rolcreaterole: boolean;
        rolcanlogin: boolean;
        rolreplication: boolean;
        rolbypassrls: boolean;
      }[]
    >`select rolname, rolpassword, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolreplication, rolbypassrls
      from pg_authid where rolname in ('postgres', ${PLATFORM_ROLE})`;
    const superuser = roles.find((r) => r.rolname === "postgres");
    if (!verifierMatches(superuser?.rolpassword, secrets.superuser))
      await admin.unsafe(`alter role postgres password '${scramVerifier(secrets.superuser)}'`);
    const platform = roles.find((r) => r.rolname === PLATFORM_ROLE);
    if (!platform) {
      await admin.unsafe(
        `create role ${PLATFORM_ROLE} ${PLATFORM_ROLE_ATTRIBUTES} password '${scramVerifier(secrets.platform)}'`,
      );
    } else {
      const { rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolreplication, rolbypassrls } = platform;
      if (rolsuper || !rolcreatedb || rolcreaterole || !rolcanlogin || rolreplication || rolbypassrls)
        await admin.unsafe(`alter role ${PLATFORM_ROLE} ${PLATFORM_ROLE_ATTRIBUTES}`);
      if (!verifierMatches(platform.rolpassword, secrets.platform))
        await admin.unsafe(`alter role ${PLATFORM_ROLE} password '${scramVerifier(secrets.platform)}'`);
    }
    // pg_execute_server_program, pg_read_server_files and the like: the platform needs none
    const memberships = await admin<{ role: string }[]>`select roleid::regrole::text as role
      from pg_auth_members where member = ${PLATFORM_ROLE}::regrole`;
    for (const { role } of memberships) await admin.unsafe(`revoke ${role} from ${PLATFORM_ROLE}`);

    const [database] = await admin<{ owner: string }[]>`select pg_get_userbyid(datdba) as owner
      from pg_database where datname = ${PLATFORM_ROLE}`;
    if (!database) {
      await admin.unsafe(`create database ${PLATFORM_ROLE} owner ${PLATFORM_ROLE}`);
    } else if (database.owner !== PLATFORM_ROLE) {
      await handOverDatabase(port, secrets);
      await admin.unsafe(`alter database ${PLATFORM_ROLE} owner to ${PLATFORM_ROLE}`);
      say(
        `the ${PLATFORM_ROLE} database and its tables now belong to the role ${PLATFORM_ROLE}, not the superuser`,
      );
    }

    const [{ lax } = { lax: 0 }] = await admin<{ lax: number }[]>`select count(*)::int as lax
      from pg_hba_file_rules where auth_method <> 'scram-sha-256'`;
    if (lax > 0) {
      const [{ hba_file: hbaFile } = { hba_file: "" }] = await admin<{ hba_file: string }[]>`show hba_file`;
      await writeFile(hbaFile, PG_HBA);
      await admin`select pg_reload_conf()`;
      await wait("Postgres to demand passwords", async () => !(await postgresTrusts(port)), 10_000);
      say(`Postgres on 127.0.0.1:${port} now demands passwords (scram-sha-256); ${hbaFile} rewritten`);
    }
  } finally {
    await admin.end();
  }
}

/** PING with the password (or none): "up", "down" (nothing listens), or the error Redis answered. */
async function redisProbe(port: number, password?: string): Promise<"up" | "down" | Error> {
  const redis = new Redis({
    host: "127.0.0.1",
    port,
    password,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // without retries ioredis rejects with "Connection is closed."; the cause comes as an error event
  let cause: Error | undefined;
  redis.on("error", (err: Error) => {
    cause ??= err;
  });
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG" ? "up" : new Error("unexpected answer to PING");
  } catch (err) {
    const reason = cause ?? (err as Error);
    return errorCode(reason) === "ECONNREFUSED" ? "down" : reason;
  } finally {
    redis.disconnect();
  }
}

async function startRedis(
  dataDir: string,
  port: number,
  logs: string,
  password: string,
): Promise<ChildProcess | undefined> {
  const passwordFile = join(dataDir, "secrets", "redis-password");
  const open = await redisProbe(port);
  if (open === "up") {
    // an earlier version's Redis, started without a password: protect it now; our config file carries the
    // password into its next start
    const redis = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await redis.connect();
      await redis.config("SET", "requirepass", password);
    } finally {
      redis.disconnect();
    }
    say(`Redis on 127.0.0.1:${port} answered without a password: it now requires the one in ${passwordFile}`);
  } else if (open !== "down") {
    if (!open.message.startsWith("NOAUTH"))
      throw new Error(
        `Redis on 127.0.0.1:${port} answers neither with nor without a password: ${open.message}`,
      );
    const ours = await redisProbe(port, password);
    if (ours !== "up")
      throw new Error(
        `Redis on 127.0.0.1:${port} refuses the password kept in ${passwordFile} (${
          ours === "down" ? "it went away" : ours.message
        }). Restore that file, or stop that server.`,
      );
  }
  if (open !== "down") {
    say(`reusing Redis on 127.0.0.1:${port}`);
    return undefined;
  }
  const dir = join(dataDir, "redis");
  await mkdir(dir, { recursive: true });
  // a config file, not arguments: a password on the command line is readable by every local user
  const config = join(dataDir, "secrets", "redis.conf");
  await writeFile(
    config,
    [
      "bind 127.0.0.1",
      `port ${port}`,
      `dir ${JSON.stringify(dir)}`,
      "appendonly yes",
      'save ""',
      `requirepass ${password}`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  await chmod(config, 0o600);
  const child = spawnService("redis-server", [config], join(logs, "redis.log"));
  await waitStarted(child, "SIGTERM", "Redis", async () => (await redisProbe(port, password)) === "up");
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
  await waitStarted(child, "SIGTERM", "dockerd", () => pingDocker(socket));
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

/** Waits for a service just spawned; one that never becomes ready is stopped rather than left behind. */
async function waitStarted(
  child: ChildProcess,
  signal: NodeJS.Signals,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  try {
    await wait(what, check);
  } catch (err) {
    await stopChild(child, signal);
    throw err;
  }
}

/**
 * Brings up what Timonier needs on this machine: Postgres, Redis and a Docker engine, each reused when
 * already running (or given by DATABASE_URL, REDIS_URL, DOCKER_HOST), else installed with apt-get and
 * started with its data under the data folder. Postgres and Redis demand the passwords generated into
 * `<data>/secrets/`; the platform connects to Postgres as the role `timonier`, not as a superuser, and the
 * URLs returned carry the credentials. A second call on the same data is fast.
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

  const started: Started[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    const names: string[] = [];
    for (const s of [...started].reverse()) {
      await stopChild(s.child, s.signal);
      names.push(s.name);
    }
    return names;
  };
  const supervise = (log: (message: string) => void) => {
    const watch = (s: Started) =>
      s.child.once("exit", (code, signal) => {
        if (stopping) return;
        log(`${s.name} exited (${signal ?? code}); starting it again`);
        setTimeout(async () => {
          if (stopping) return;
          const child = await s.restart().catch((e: Error) => {
            log(`${s.name} did not start again: ${e.message}`);
            return undefined;
          });
          if (!child) return;
          s.child = child;
          watch(s);
        }, 1000);
      });
    for (const s of started) watch(s);
  };
  try {
    return await startServices(dataDir, logs, given, started, stop, supervise);
  } catch (err) {
    // what this call started goes with it, else a failed start leaves servers nobody stops
    await stop();
    throw err;
  }
}

async function startServices(
  dataDir: string,
  logs: string,
  given: { postgres?: string; redis?: string; docker?: string },
  started: Started[],
  stop: () => Promise<string[]>,
  supervise: (log: (message: string) => void) => void,
): Promise<LocalStack> {
  const pgPort = Number(process.env.TIMONIER_PG_PORT ?? 54329);
  const redisPort = Number(process.env.TIMONIER_REDIS_PORT ?? 6390);
  let databaseUrl = given.postgres;
  if (!databaseUrl) {
    const secrets: PostgresSecrets = {
      superuser: await secret(dataDir, "postgres-superuser-password"),
      platform: await secret(dataDir, "postgres-timonier-password"),
      superuserFile: join(dataDir, "secrets", "postgres-superuser-password"),
    };
    const restart = () => startPostgres(dataDir, pgPort, logs, secrets);
    const pg = await restart();
    if (pg) started.push({ name: "postgres", child: pg, signal: "SIGINT", restart });
    await securePostgres(pgPort, secrets);
    const password = encodeURIComponent(secrets.platform);
    databaseUrl = `postgres://${PLATFORM_ROLE}:${password}@127.0.0.1:${pgPort}/${PLATFORM_ROLE}`;
  }
  let redisUrl = given.redis;
  if (!redisUrl) {
    const password = await secret(dataDir, "redis-password");
    const restart = () => startRedis(dataDir, redisPort, logs, password);
    const redis = await restart();
    if (redis) started.push({ name: "redis", child: redis, signal: "SIGTERM", restart });
    redisUrl = `redis://:${encodeURIComponent(password)}@127.0.0.1:${redisPort}`;
  }
  let dockerHost = given.docker;
  if (!dockerHost) {
    const restart = () => startDocker(logs);
    const docker = await restart();
    if (docker) started.push({ name: "dockerd", child: docker, signal: "SIGTERM", restart });
    dockerHost = "unix:///var/run/docker.sock";
  }
  return {
    databaseUrl,
    redisUrl,
    dockerHost,
    dataDir,
    stop,
    supervise,
  };
}
