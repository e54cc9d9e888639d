import { percentile } from "../stats";
import { kube, listVersion, peaks, pool, sampler, top, watch } from "./load";
import type { BenchCluster, SimulatedPlatform } from "./platform";

const PODS_PER_CLUSTER = Number(process.env.BENCH_SIM_PODS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_SIM_CONCURRENCY ?? 64);
const TIMEOUT_MS = Number(process.env.BENCH_SIM_TIMEOUT_SECONDS ?? 180) * 1000;

export interface PodFigures {
  pods: number;
  podsPerSecond: number;
  latencies: number[];
  failures: number;
  configMapsPerSecond: number;
  cpu: { api: number; workers: number };
  queuePeaks: Record<string, number>;
  postgres: Record<string, number>;
}

const pod = (name: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: {
    containers: [
      {
        name: "main",
        image: "nginx",
        resources: { limits: { cpu: "10m", memory: "16Mi" }, requests: { cpu: "10m", memory: "16Mi" } },
      },
    ],
  },
});

/**
 * Pods created → Running (seen by a watch of each cluster) across the clusters, CONCURRENCY creations at
 * a time; the baseline is as many ConfigMaps created the same way: the API's own write throughput.
 */
export async function podThroughput(p: SimulatedPlatform, clusters: BenchCluster[]): Promise<PodFigures> {
  const total = clusters.length * PODS_PER_CLUSTER;
  const at = (i: number) => clusters[i % clusters.length] as BenchCluster;
  const cmStart = performance.now();
  await pool(total, CONCURRENCY, async (i) => {
    const res = await kube(p.url, at(i))("POST", "configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `base-${Math.floor(i / clusters.length)}` },
    });
    await res.arrayBuffer();
  });
  const configMapsPerSecond = total / ((performance.now() - cmStart) / 1000);
  await p.settle();

  const created = new Map<string, number>();
  const running = new Map<string, number>();
  const watches = await Promise.all(
    clusters.map(async (c, ci) =>
      watch(p.url, c, "pods", await listVersion(p.url, c, "pods"), (e, seen) => {
        const key = `${ci}/${e.object.metadata.name}`;
        if (e.object.status?.phase === "Running" && !running.has(key)) running.set(key, seen);
      }),
    ),
  );
  const depths = sampler(500, () => p.queueDepths());
  const activity = sampler(500, () => p.postgresActivity());
  const cpu0 = await p.cpuSeconds();
  const start = performance.now();
  let failures = 0;
  await pool(total, CONCURRENCY, async (i) => {
    const name = `p-${Math.floor(i / clusters.length)}`;
    const sent = performance.now();
    const res = await kube(p.url, at(i))("POST", "pods", pod(name));
    await res.arrayBuffer();
    if (res.status === 201) created.set(`${i % clusters.length}/${name}`, sent);
    else failures++;
  });
  const deadline = Date.now() + TIMEOUT_MS;
  while (running.size < created.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const end = Math.max(...running.values());
  const cpu1 = await p.cpuSeconds();
  for (const w of watches) w.close();
  const wall = (end - start) / 1000;
  const latencies = [...running].map(([key, seen]) => seen - (created.get(key) ?? seen));
  return {
    pods: running.size,
    podsPerSecond: running.size / wall,
    latencies,
    failures: failures + (created.size - running.size),
    configMapsPerSecond,
    cpu: {
      api: ((cpu1.api - cpu0.api) / wall) * 100,
      workers: ((cpu1.workers - cpu0.workers) / wall) * 100,
    },
    queuePeaks: peaks(await depths.stop()),
    postgres: peaks(await activity.stop()),
  };
}

export function podRows(f: PodFigures): (string | number)[][] {
  return [
    [
      `pods create→Running (${f.pods}, ${f.failures} failed)`,
      f.podsPerSecond,
      percentile(f.latencies, 50),
      percentile(f.latencies, 99),
      "ConfigMap creates/s",
      f.configMapsPerSecond,
      (f.podsPerSecond / f.configMapsPerSecond).toFixed(2),
      "≥ 500/s",
    ],
  ];
}

export function podNotes(f: PodFigures): string {
  return [
    `CPU while pods start: API ${f.cpu.api.toFixed(0)} %, workers ${f.cpu.workers.toFixed(0)} % (of one core).`,
    `Peak queue depths: ${top(f.queuePeaks)}.`,
    `Peak Postgres sessions by state/wait: ${top(f.postgres)}.`,
  ].join("\n");
}
