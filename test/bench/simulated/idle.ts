import { top } from "./load";
import type { SimulatedPlatform } from "./platform";

const CLUSTERS = Number(process.env.BENCH_IDLE_CLUSTERS ?? 200);
const WINDOW_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);

interface Held {
  cpu: { api: number; workers: number };
  /** Jobs added per queue during the window. */
  jobs: Record<string, number>;
  databaseBytes: number;
  redisBytes: number;
}

export interface IdleFigures {
  clusters: number;
  createSeconds: number;
  empty: Held;
  held: Held;
  leftInQueues: Record<string, number>;
}

/** CPU % (of one core) of each process over WINDOW_SECONDS, and the sizes after. */
async function measure(p: SimulatedPlatform): Promise<Held> {
  const jobs = await p.jobsAdded();
  const before = await p.cpuSeconds();
  await new Promise((r) => setTimeout(r, WINDOW_SECONDS * 1000));
  const after = await p.cpuSeconds();
  const jobsAfter = await p.jobsAdded();
  return {
    jobs: Object.fromEntries(
      Object.entries(jobsAfter)
        .map(([q, n]) => [q, n - (jobs[q] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    ),
    cpu: {
      api: ((after.api - before.api) / WINDOW_SECONDS) * 100,
      workers: ((after.workers - before.workers) / WINDOW_SECONDS) * 100,
    },
    databaseBytes: await p.databaseBytes(),
    redisBytes: await p.redisBytes(),
  };
}

/** The platform empty, then holding BENCH_IDLE_CLUSTERS clusters that nobody uses. */
export async function idleClusters(p: SimulatedPlatform): Promise<IdleFigures> {
  await p.settle();
  const empty = await measure(p);
  const start = performance.now();
  await p.createClusters("idle", CLUSTERS);
  const createSeconds = (performance.now() - start) / 1000;
  const leftInQueues = await p.settle();
  return { clusters: CLUSTERS, createSeconds, empty, held: await measure(p), leftInQueues };
}

export function idleRows(f: IdleFigures): (string | number)[][] {
  const per = (held: number, empty: number) => ((held - empty) / f.clusters).toFixed(0);
  const kib = (b: number) => (b / 1024).toFixed(0);
  return [
    ["API CPU %", f.held.cpu.api, f.empty.cpu.api, (f.held.cpu.api - f.empty.cpu.api).toFixed(2), "≈ 0"],
    [
      "workers CPU %",
      f.held.cpu.workers,
      f.empty.cpu.workers,
      (f.held.cpu.workers - f.empty.cpu.workers).toFixed(2),
      "≈ 0",
    ],
    [
      "Postgres KiB",
      kib(f.held.databaseBytes),
      kib(f.empty.databaseBytes),
      per(f.held.databaseBytes, f.empty.databaseBytes),
      "bytes/cluster",
    ],
    [
      "Redis KiB",
      kib(f.held.redisBytes),
      kib(f.empty.redisBytes),
      per(f.held.redisBytes, f.empty.redisBytes),
      "bytes/cluster",
    ],
  ];
}

export function idleNotes(f: IdleFigures): string {
  return [
    `${f.clusters} clusters created in ${f.createSeconds.toFixed(1)} s (${(f.clusters / f.createSeconds).toFixed(1)}/s), 8 at a time.`,
    `CPU over ${WINDOW_SECONDS} s windows, % of one core; queues after settling: ${top(f.leftInQueues)}.`,
    `Jobs added in the window, empty: ${top(f.empty.jobs)}; with ${f.clusters} clusters: ${top(f.held.jobs)}.`,
  ].join("\n");
}
