import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { migrateDatabase } from "../../db/client";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { ensureImages } from "../images/build";
import { ensureLocalStack } from "./services";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The admin token: TIMONIER_ADMIN_TOKEN, or one generated once and kept in the data folder. */
async function adminToken(dataDir: string): Promise<string> {
  if (process.env.TIMONIER_ADMIN_TOKEN) return process.env.TIMONIER_ADMIN_TOKEN;
  const path = join(dataDir, "admin-token");
  if (existsSync(path)) return (await readFile(path, "utf8")).trim();
  const token = randomBytes(24).toString("base64url");
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}

function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line) stream.write(`[${name}] ${line}\n`);
  };
  child.stdout?.on("data", prefix(process.stdout));
  child.stderr?.on("data", prefix(process.stderr));
  return child;
}

async function waitHealthy(url: string, children: ChildProcess[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (children.some((c) => c.exitCode !== null))
      throw new Error("a Timonier process exited during start-up");
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
      last = await res.text();
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Timonier did not become healthy: ${last}`);
}

/**
 * `npm start`: installs and starts Postgres, Redis and Docker when needed, seeds the offline images,
 * migrates, starts one API and one worker process (with the local Docker engine as its node), waits for
 * /healthz and prints how to reach it. Ctrl-C stops everything it started.
 */
async function main() {
  const started = Date.now();
  const stack = await ensureLocalStack();
  await ensureImages({ docker: dockerFromHost(stack.dockerHost), dataDir: stack.dataDir });
  const token = await adminToken(stack.dataDir);
  await migrateDatabase(stack.databaseUrl);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    DOCKER_HOST: stack.dockerHost,
    TIMONIER_ADMIN_TOKEN: token,
    TIMONIER_DATA_DIR: stack.dataDir,
  };
  const host = env.TIMONIER_HOST ?? "127.0.0.1";
  const url = env.TIMONIER_PUBLIC_URL ?? `http://${host}:${env.TIMONIER_PORT ?? 8080}`;
  const entries: [string, string][] = [
    ["api", "api/main.ts"],
    ["workers", "workers/main.ts"],
  ];
  const children = entries.map(([name, entry]) => startProcess(name, entry, env));

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("\nStopping Timonier…\n");
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((done) => {
            if (c.exitCode !== null) return done();
            c.once("exit", () => done());
            c.kill("SIGTERM");
            setTimeout(() => c.kill("SIGKILL"), 10_000).unref();
          }),
      ),
    );
    await stack.stop();
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  // a process that dies is started again, as a supervisor would: the platform converges after a crash
  const supervise = (index: number) => {
    children[index]?.once("exit", (code) => {
      if (stopping) return;
      const [name, entry] = entries[index] as [string, string];
      process.stderr.write(`[${name}] exited with ${code}; starting it again\n`);
      setTimeout(() => {
        if (stopping) return;
        children[index] = startProcess(name, entry, env);
        supervise(index);
      }, 1000);
    });
  };
  for (let i = 0; i < children.length; i++) supervise(i);

  try {
    await waitHealthy(url, children);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    await stop(1);
    return;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`
Timonier is up (${seconds}s).

  API URL:      ${url}
  Admin token:  ${token}
  API docs:     ${url}/v1/openapi.json

Create a cluster and use it with kubectl:

  curl -s -X POST ${url}/v1/clusters -H "Authorization: Bearer ${token}" \\
       -H 'Content-Type: application/json' -d '{"name":"alice"}' | jq -r .kubeconfig > alice.yaml
  kubectl --kubeconfig alice.yaml run web --image=nginx

Press Ctrl-C to stop.
`);
}

await main();
