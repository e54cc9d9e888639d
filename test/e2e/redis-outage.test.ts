import { type ChildProcess, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { freePort, startTestPlatform, type TestPlatform } from "../support/platform";

/** A Redis of this suite's own, which it stops and starts again. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  await eventually(async () => {
    const redis = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on("error", () => {});
    try {
      await redis.connect();
      return (await redis.ping()) === "PONG" ? true : undefined;
    } finally {
      redis.disconnect();
    }
  }, 10_000);
  return child;
}

/** kube-apiserver keeps taking writes while its controllers are away; so does Timonier while Redis is. */
describe("a Redis outage", () => {
  let platform: TestPlatform;
  let redis: ChildProcess;
  let port: number;
  let kubeconfig: string;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    platform = await startTestPlatform({ redisUrl: `redis://127.0.0.1:${port}`, resyncSeconds: 2 });
    kubeconfig = (await platform.createCluster("outage")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
    redis?.kill("SIGKILL");
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 60_000 });
  const available = async (n: number) => {
    const d = JSON.parse((await k("get", "deployment", "web", "-o", "json")).stdout);
    return d.status?.availableReplicas === n ? true : undefined;
  };

  it("answers writes at once, says 503 naming Redis, and converges once Redis is back", async () => {
    expect((await k("create", "deployment", "web", "--image=nginx")).code).toBe(0);
    await eventually(() => available(1), 60_000, "the first replica");

    redis.kill("SIGKILL");
    await new Promise((r) => redis.once("exit", r));

    const started = performance.now();
    const scaled = await k("scale", "deployment", "web", "--replicas=3");
    const answeredMs = performance.now() - started;
    expect(scaled.stderr).toBe("");
    expect(answeredMs).toBeLessThan(10_000);

    const probe = performance.now();
    const health = await fetch(`${platform.url}/healthz`);
    expect(performance.now() - probe).toBeLessThan(1500);
    expect(health.status).toBe(503);
    expect(await health.text()).toMatch(/redis/);

    redis = await startRedis(port);
    const back = performance.now();
    await eventually(() => available(3), 90_000, "three available replicas after Redis came back");
    const convergedMs = performance.now() - back;
    process.stdout.write(
      `redis outage: scale answered in ${answeredMs.toFixed(0)} ms; converged ${convergedMs.toFixed(0)} ms after Redis returned\n`,
    );
    await eventually(async () => ((await fetch(`${platform.url}/healthz`)).ok ? true : undefined), 30_000);
  });
});
