import { percentile } from "../stats";
import { kube, listVersion, watch } from "./load";
import type { BenchCluster, SimulatedPlatform } from "./platform";

const WATCHES = Number(process.env.BENCH_WATCHES ?? 1000);
const WRITES = Number(process.env.BENCH_WATCH_WRITES ?? 300);
const RATE = Number(process.env.BENCH_WATCH_RATE ?? 50);

export interface WatchFigures {
  watches: number;
  expected: number;
  delays: number[];
  writes: number[];
}

/**
 * Commit → event at the client for `perCluster` watches of each cluster's ConfigMaps, while WRITES
 * ConfigMaps are created at RATE/s round-robin over the clusters; next to the create calls' latency.
 */
async function phase(p: SimulatedPlatform, clusters: BenchCluster[], perCluster: number, tag: string) {
  const sent = new Map<string, number>();
  const delays: number[] = [];
  const watches = (
    await Promise.all(
      clusters.map(async (c) => {
        const rv = await listVersion(p.url, c, "configmaps");
        return Promise.all(
          Array.from({ length: perCluster }, () =>
            watch(p.url, c, "configmaps", rv, (e, at) => {
              const t = sent.get(`${c.id}/${e.object.metadata.name}`);
              if (t !== undefined && e.type === "ADDED") delays.push(at - t);
            }),
          ),
        );
      }),
    )
  ).flat();
  const writes: number[] = [];
  const start = performance.now();
  const calls: Promise<void>[] = [];
  for (let k = 0; k < WRITES; k++) {
    const wait = start + (k * 1000) / RATE - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const cluster = clusters[k % clusters.length] as BenchCluster;
    const name = `${tag}-${k}`;
    const t = performance.now();
    sent.set(`${cluster.id}/${name}`, t);
    calls.push(
      kube(p.url, cluster)("POST", "configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name },
      }).then(async (res) => {
        await res.arrayBuffer();
        writes.push(performance.now() - t);
      }),
    );
  }
  await Promise.all(calls);
  const expected = WRITES * perCluster;
  const deadline = Date.now() + 10_000;
  while (delays.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const w of watches) w.close();
  return { watches: watches.length, expected, delays, writes };
}

/** One watch per cluster (the baseline), then WATCHES spread over the clusters. */
export async function watchFanout(p: SimulatedPlatform, clusters: BenchCluster[]): Promise<WatchFigures[]> {
  const base = await phase(p, clusters, 1, "base");
  const loaded = await phase(p, clusters, Math.max(1, Math.round(WATCHES / clusters.length)), "load");
  return [base, loaded];
}

export function watchRows(figures: WatchFigures[]): (string | number)[][] {
  const base = figures[0];
  return figures.map((f) => [
    `${f.watches} watches, ${WRITES} writes at ${RATE}/s`,
    `${f.delays.length}/${f.expected}`,
    percentile(f.delays, 50),
    percentile(f.delays, 99),
    percentile(f.writes, 50),
    base ? percentile(base.delays, 99) : Number.NaN,
    base ? (percentile(f.delays, 99) / percentile(base.delays, 99)).toFixed(2) : "",
    "≤ 50 ms",
  ]);
}
