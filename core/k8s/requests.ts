import { toMillis, toUnits } from "./quantity";
import type { Pod } from "./types";

/** Kubernetes CPU quantity (`500m`, `0.5`, `2`) in millicores; 0 when it does not parse. */
export function cpuMillis(quantity: string): number {
  return toMillis(String(quantity)) ?? 0;
}

/** Kubernetes memory quantity (`128Mi`, `1G`, `1e6`) in bytes; 0 when it does not parse. */
export function memoryBytes(quantity: string): number {
  return toUnits(String(quantity)) ?? 0;
}

export interface ResourceAmounts {
  cpuMillis: number;
  memoryBytes: number;
}

/** kube-scheduler's requests, for scoring, of a container that asks for nothing (DefaultMilliCPURequest…). */
const NON_ZERO = { cpuMillis: 100, memoryBytes: 200 * 1024 * 1024 };

/** What a pod asks the scheduler for: the sum of its containers' requests, or the largest init container's. */
export function podRequests(pod: Pod): ResourceAmounts {
  return requestsOf(pod, false);
}

/**
 * What a pod counts for in the scheduler's scoring: a container that requests no CPU or memory counts
 * kube-scheduler's defaults (100m, 200Mi), so that pods that request nothing still spread over the nodes.
 */
export function scoringRequests(pod: Pod): ResourceAmounts {
  return requestsOf(pod, true);
}

function requestsOf(pod: Pod, nonZero: boolean): ResourceAmounts {
  const of = (c: { resources?: { requests?: Record<string, string> } }) => ({
    cpuMillis: c.resources?.requests?.cpu
      ? cpuMillis(c.resources.requests.cpu)
      : nonZero
        ? NON_ZERO.cpuMillis
        : 0,
    memoryBytes: c.resources?.requests?.memory
      ? memoryBytes(c.resources.requests.memory)
      : nonZero
        ? NON_ZERO.memoryBytes
        : 0,
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
