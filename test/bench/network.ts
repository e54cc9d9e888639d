import { Agent, request } from "node:http";
import { eventually, kubectl } from "../support/kubectl";
import type { TestPlatform } from "../support/platform";
import { percentile } from "./stats";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 3);
const CONCURRENCY = 16;

interface Target {
  name: string;
  host: string;
  port: number;
  headers?: Record<string, string>;
}

/** One GET on a fresh connection: what a proxy in the path costs shows in connection set-up too. */
function get(target: Target, agent: Agent | false): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.host, port: target.port, path: "/", headers: target.headers, agent },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${target.name}: ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function latencies(target: Target): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    await get(target, false);
    out.push(performance.now() - start);
  }
  return out;
}

/** Requests per second with CONCURRENCY keep-alive clients for THROUGHPUT_SECONDS. */
async function throughput(target: Target): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await get(target, agent);
        done++;
      }
    }),
  );
  agent.destroy();
  return done / THROUGHPUT_SECONDS;
}

export interface PathFigures {
  name: string;
  latency: number[];
  rps: number;
}

/**
 * Request latency and throughput to one nginx pod, four ways in one run: straight to the pod IP (the
 * baseline), through its ClusterIP (the cluster's netd), its NodePort and an Ingress (the node gateway).
 */
export async function networkPaths(platform: TestPlatform): Promise<PathFigures[]> {
  const { kubeconfig } = await platform.createCluster("bench-net");
  const k = async (...args: string[]) => {
    const r = await kubectl(kubeconfig, args, { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  await k("create", "deployment", "web", "--image=nginx");
  await k("expose", "deployment", "web", "--type=NodePort", "--port=80");
  await k("create", "ingress", "web", "--rule=web.local/*=web:80");
  await k("rollout", "status", "deployment/web", "--timeout=90s");
  const pod = JSON.parse(await k("get", "pods", "-l", "app=web", "-o", "json")).items[0];
  const svc = JSON.parse(await k("get", "svc", "web", "-o", "json"));
  const domain = await eventually(async () => {
    const ing = JSON.parse(await k("get", "ingress", "web", "-o", "json"));
    return ing.status?.loadBalancer?.ingress?.[0]?.hostname as string | undefined;
  }, 30_000);
  const targets: Target[] = [
    { name: "pod IP (baseline)", host: pod.status.podIP, port: 80 },
    { name: "ClusterIP (netd)", host: svc.spec.clusterIP, port: 80 },
    { name: "NodePort (gateway)", host: "127.0.0.1", port: svc.spec.ports[0].nodePort },
    {
      name: "Ingress (gateway)",
      host: "127.0.0.1",
      port: platform.ingressPort,
      headers: { host: `web.local.${domain}` },
    },
  ];
  for (const t of targets) await eventually(() => get(t, false).then(() => true), 30_000, t.name);
  const out: PathFigures[] = [];
  for (const t of targets) out.push({ name: t.name, latency: await latencies(t), rps: await throughput(t) });
  return out;
}

/** Rows for the bench table: each path next to the pod-IP baseline of the same run. */
export function networkRows(figures: PathFigures[]): (string | number)[][] {
  const base = figures[0];
  if (!base) return [];
  return figures.map((f) => [
    `GET / via ${f.name}`,
    f.latency.length,
    percentile(f.latency, 50),
    percentile(f.latency, 99),
    "pod IP",
    percentile(base.latency, 50),
    (percentile(f.latency, 50) / percentile(base.latency, 50)).toFixed(2),
    (percentile(f.latency, 99) / percentile(base.latency, 99)).toFixed(2),
    Math.round(f.rps),
    (f.rps / base.rps).toFixed(2),
  ]);
}
