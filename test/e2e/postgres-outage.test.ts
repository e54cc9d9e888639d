import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLocalStack, type LocalStack } from "../../infra/local/services";
import { eventually, kubectl } from "../support/kubectl";
import { freePort, startTestPlatform, type TestPlatform } from "../support/platform";

/**
 * A Postgres of this suite's own, which it stops and starts again: the stack's own start-up, on a data
 * folder and port of its own, with the shared Redis and Docker given so that only Postgres is started.
 */
async function startPostgres(dataDir: string, port: number): Promise<LocalStack> {
  const saved = { ...process.env };
  try {
    process.env.TIMONIER_DATA_DIR = dataDir;
    process.env.TIMONIER_PG_PORT = String(port);
    delete process.env.DATABASE_URL;
    return await ensureLocalStack();
  } finally {
    process.env = saved;
  }
}

/** kube-apiserver answers 503 at once while etcd is away, and carries on once it is back; so does Timonier. */
describe("a Postgres outage", () => {
  let platform: TestPlatform;
  let postgres: LocalStack;
  let dataDir: string;
  let port: number;
  let kubeconfig: string;
  let clusterId: string;
  let token: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "timonier-pg-outage-"));
    // Postgres runs as its own user, which must reach its folder inside this one
    await chmod(dataDir, 0o755);
    port = await freePort();
    postgres = await startPostgres(dataDir, port);
    platform = await startTestPlatform({ databaseUrl: postgres.databaseUrl, resyncSeconds: 2 });
    ({ kubeconfig, id: clusterId, token } = await platform.createCluster("outage"));
  });
  let down = false;
  afterAll(async () => {
    if (down) postgres = await startPostgres(dataDir, port);
    await platform?.close();
    await postgres?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 60_000 });
  const available = async (n: number) => {
    const d = JSON.parse((await k("get", "deployment", "web", "-o", "json")).stdout);
    return d.status?.availableReplicas === n ? true : undefined;
  };

  it("refuses requests at once with 503, says so on /healthz, and converges once Postgres is back", async () => {
    expect((await k("create", "deployment", "web", "--image=nginx")).code).toBe(0);
    await eventually(() => available(1), 60_000, "the first replica");

    expect(await postgres.stop()).toEqual(["postgres"]);
    down = true;

    const started = performance.now();
    const refused = await k("scale", "deployment", "web", "--replicas=3");
    const answeredMs = performance.now() - started;
    expect(refused.code).not.toBe(0);
    expect(answeredMs).toBeLessThan(15_000);
    // what kubectl was told at once (it retries as Retry-After asks, then gives up), as kube-apiserver says
    // it when its storage is away
    const asked = performance.now();
    const patch = await fetch(
      `${platform.url}/clusters/${clusterId}/apis/apps/v1/namespaces/default/deployments/web`,
      {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/merge-patch+json" },
        body: JSON.stringify({ spec: { replicas: 3 } }),
      },
    );
    const refusedMs = performance.now() - asked;
    expect(refusedMs).toBeLessThan(1500);
    expect(patch.status).toBe(503);
    expect(await patch.json()).toMatchObject({
      kind: "Status",
      status: "Failure",
      code: 503,
      reason: "ServiceUnavailable",
    });

    const probe = performance.now();
    const health = await fetch(`${platform.url}/healthz`);
    expect(performance.now() - probe).toBeLessThan(1500);
    expect(health.status).toBe(503);
    expect(await health.text()).toMatch(/postgres/);

    postgres = await startPostgres(dataDir, port);
    down = false;
    const back = performance.now();
    await eventually(
      async () => ((await k("scale", "deployment", "web", "--replicas=3")).code === 0 ? true : undefined),
      60_000,
      "a scale accepted again",
    );
    await eventually(() => available(3), 90_000, "three available replicas after Postgres came back");
    const convergedMs = performance.now() - back;
    process.stdout.write(
      `postgres outage: a write refused in ${refusedMs.toFixed(0)} ms (kubectl gave up after ${answeredMs.toFixed(0)} ms of retries); converged ${convergedMs.toFixed(0)} ms after Postgres returned\n`,
    );
    await eventually(async () => ((await fetch(`${platform.url}/healthz`)).ok ? true : undefined), 30_000);
  });
});
