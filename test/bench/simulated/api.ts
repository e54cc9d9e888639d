import { percentile } from "../stats";
import { kube, top } from "./load";
import type { BenchCluster, SimulatedPlatform } from "./platform";

const RATES = (process.env.BENCH_API_RATES ?? "20,200,400,800").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const GOAL_P99_MS = 25;

export interface RateFigures {
  rate: number;
  sent: number;
  latencies: number[];
  errors: number;
  /** Failed calls by status ("network" when no response came). */
  failures: Record<string, number>;
  achieved: number;
  cpu: { api: number; workers: number };
}

/**
 * Open-loop mutations at each rate of BENCH_API_RATES for BENCH_API_SECONDS, spread round-robin over the
 * clusters: each ConfigMap created, then merge-patched, then deleted. The first rate is the baseline.
 */
export async function mutatingLatency(
  p: SimulatedPlatform,
  clusters: BenchCluster[],
): Promise<RateFigures[]> {
  const out: RateFigures[] = [];
  for (const rate of RATES) {
    const count = Math.round(rate * SECONDS);
    const latencies: number[] = [];
    let errors = 0;
    const failures: Record<string, number> = {};
    const fail = (why: string) => {
      errors++;
      failures[why] = (failures[why] ?? 0) + 1;
    };
    const calls: Promise<void>[] = [];
    const cpu0 = await p.cpuSeconds();
    const start = performance.now();
    for (let k = 0; k < count; k++) {
      const due = start + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const cluster = clusters[k % clusters.length] as BenchCluster;
      const round = Math.floor(k / clusters.length);
      const name = `m${rate}-${Math.floor(round / 3)}`;
      const call = kube(p.url, cluster);
      const step = round % 3;
      const sent = performance.now();
      const request =
        step === 0
          ? call("POST", "configmaps", {
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: { name },
              data: { a: "1" },
            })
          : step === 1
            ? call("PATCH", `configmaps/${name}`, { data: { a: "2" } })
            : call("DELETE", `configmaps/${name}`);
      calls.push(
        request.then(
          async (res) => {
            await res.arrayBuffer();
            latencies.push(performance.now() - sent);
            if (res.status >= 300) fail(String(res.status));
          },
          () => fail("network"),
        ),
      );
    }
    await Promise.all(calls);
    const wall = (performance.now() - start) / 1000;
    const cpu1 = await p.cpuSeconds();
    out.push({
      rate,
      sent: count,
      latencies,
      errors,
      failures,
      achieved: latencies.length / wall,
      cpu: {
        api: ((cpu1.api - cpu0.api) / wall) * 100,
        workers: ((cpu1.workers - cpu0.workers) / wall) * 100,
      },
    });
  }
  return out;
}

export function apiRows(figures: RateFigures[]): (string | number)[][] {
  const base = figures[0];
  return figures.map((f) => [
    `${f.rate} req/s over ${SECONDS} s`,
    f.sent,
    f.errors ? `${f.errors} (${top(f.failures, 3)})` : 0,
    f.achieved,
    percentile(f.latencies, 50),
    percentile(f.latencies, 99),
    base ? percentile(base.latencies, 99) : Number.NaN,
    base ? (percentile(f.latencies, 99) / percentile(base.latencies, 99)).toFixed(2) : "",
    `≤ ${GOAL_P99_MS} ms`,
    f.cpu.api.toFixed(0),
    f.cpu.workers.toFixed(0),
  ]);
}

/** The first rate whose p99 misses the goal or that is not kept up with. */
export function apiSaturation(figures: RateFigures[]): string {
  const missed = figures.find(
    (f) => percentile(f.latencies, 99) > GOAL_P99_MS || f.achieved < 0.95 * f.rate || f.errors > 0,
  );
  return missed
    ? `Saturates at ${missed.rate} req/s (p99 ${percentile(missed.latencies, 99).toFixed(1)} ms, ${missed.achieved.toFixed(0)} req/s served, ${missed.errors} errors: ${top(missed.failures)}).`
    : `No saturation up to ${figures.at(-1)?.rate} req/s.`;
}
