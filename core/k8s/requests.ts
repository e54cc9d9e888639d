import type { Pod } from "./types";

/** Kubernetes CPU quantity (`500m`, `0.5`, `2`) in millicores. */
export function cpuMillis(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (!m?.[1]) return 0;
  return m[2] ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}

const SUFFIX: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Kubernetes memory quantity (`128Mi`, `1G`, `1e6`) in bytes. */
export function memoryBytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([kMGT]i?|Ki)?$/.exec(quantity.trim());
  if (!m?.[1]) return 0;
  return Math.round(Number(m[1]) * (SUFFIX[m[2] ?? ""] ?? 1));
}

export interface ResourceAmounts {
  cpuMillis: number;
  memoryBytes: number;
}

/** What a pod asks the scheduler for: the sum of its containers' requests, or the largest init container's. */
export function podRequests(pod: Pod): ResourceAmounts {
  const of = (c: { resources?: { requests?: Record<string, string> } }) => ({
    cpuMillis: c.resources?.requests?.cpu ? cpuMillis(c.resources.requests.cpu) : 0,
    memoryBytes: c.resources?.requests?.memory ? memoryBytes(c.resources.requests.memory) : 0,
  });
  const main = pod.spec.containers
    .map(of)
    .reduce(
      (a, b) => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes }),
      { cpuMillis: 0, memoryBytes: 0 },
    );
  for (const init of (pod.spec.initContainers ?? []).map(of)) {
    main.cpuMillis = Math.max(main.cpuMillis, init.cpuMillis);
    main.memoryBytes = Math.max(main.memoryBytes, init.memoryBytes);
  }
  return main;
}
