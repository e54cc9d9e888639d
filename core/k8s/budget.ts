import { isTerminal } from "./pods";
import { formatAmount } from "./quota/usage";
import { cpuMillis, memoryBytes } from "./requests";
import type { Container, Pod } from "./types";

/**
 * What one student cluster may use as a whole, set by the platform (and, through the management API, by
 * whoever runs the class), never by the cluster's own API: every limit that protects the other students
 * sits outside what a cluster-admin can delete.
 */
export interface ClusterBudget {
  /** The sum of its running pods' memory limits, in bytes. */
  memoryBytes: number;
  /** The sum of its running pods' CPU limits, in millicores. */
  cpuMillis: number;
  /** How many pods that have not finished it may have. */
  pods: number;
  /** What its objects may take in the platform's database, in JSON bytes. */
  storageBytes: number;
}

/** The limits a container gets when its spec sets none (LimitRange-style, but the platform's). */
export interface ContainerDefaults {
  memoryBytes: number;
  cpuMillis: number;
  /** Processes and threads per container: there is no field for it in a pod, every container gets it. */
  pids: number;
}

/** The name the platform's budget carries in refusals, as a ResourceQuota's name would. */
export const PLATFORM_BUDGET = "timonier-platform";

/**
 * The cgroup limits a container runs with: its own, else the platform's default (a limit of 0, which means
 * none to the kubelet, must not mean uncapped here). A memory request above the default raises the limit
 * to the request (a smaller limit would only kill it); CPU is compressible, so a CPU request alone does not.
 */
export function effectiveLimits(container: Container, defaults: ContainerDefaults) {
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const memory = limits.memory ? memoryBytes(limits.memory) : 0;
  const cpu = limits.cpu ? cpuMillis(limits.cpu) : 0;
  return {
    memoryBytes: memory || Math.max(defaults.memoryBytes, requests.memory ? memoryBytes(requests.memory) : 0),
    cpuMillis: cpu || defaults.cpuMillis,
    pids: defaults.pids,
  };
}

export interface BudgetUsage {
  memoryBytes: number;
  cpuMillis: number;
  pods: number;
}

/** What a pod counts against its cluster's budget: its containers' limits, or its largest init container's. */
export function podBudgetUsage(pod: Pod, defaults: ContainerDefaults): BudgetUsage {
  if (isTerminal(pod)) return { memoryBytes: 0, cpuMillis: 0, pods: 0 };
  const sum = (containers: Container[]) =>
    containers
      .map((c) => effectiveLimits(c, defaults))
      .reduce(
        (a, b) => ({ memoryBytes: a.memoryBytes + b.memoryBytes, cpuMillis: a.cpuMillis + b.cpuMillis }),
        {
          memoryBytes: 0,
          cpuMillis: 0,
        },
      );
  const main = sum(pod.spec.containers ?? []);
  const init = (pod.spec.initContainers ?? []).map((c) => effectiveLimits(c, defaults));
  return {
    memoryBytes: Math.max(main.memoryBytes, ...init.map((l) => l.memoryBytes)),
    cpuMillis: Math.max(main.cpuMillis, ...init.map((l) => l.cpuMillis)),
    pods: 1,
  };
}

export function addUsage(a: BudgetUsage, b: BudgetUsage): BudgetUsage {
  return {
    memoryBytes: a.memoryBytes + b.memoryBytes,
    cpuMillis: a.cpuMillis + b.cpuMillis,
    pods: a.pods + b.pods,
  };
}

/** One resource a write would take past the platform's limit on it, as a number (see quota/usage.ts Usage). */
export interface Exceeded {
  name: string;
  asked: number;
  used: number;
  hard: number;
}

/**
 * kube-apiserver's words for an exceeded quota, for the platform's own limits (its budget, its shares of
 * NodePorts and of the database): `exceeded quota: timonier-platform, requested: …, used: …, limited: …`.
 */
export function platformRefusal(exceeded: Exceeded[]): string {
  const list = (value: (r: Exceeded) => number) =>
    exceeded.map((r) => `${r.name}=${formatAmount(r.name, value(r))}`).join(",");
  return `exceeded quota: ${PLATFORM_BUDGET}, requested: ${list((r) => r.asked)}, used: ${list((r) => r.used)}, limited: ${list((r) => r.hard)}`;
}

/** Why a new pod does not fit its cluster's budget, in a quota's words; undefined when it fits. Pure. */
export function budgetRefusal(
  budget: ClusterBudget,
  used: BudgetUsage,
  requested: BudgetUsage,
): string | undefined {
  const exceeded = [
    { name: "limits.cpu", used: used.cpuMillis, asked: requested.cpuMillis, hard: budget.cpuMillis },
    { name: "limits.memory", used: used.memoryBytes, asked: requested.memoryBytes, hard: budget.memoryBytes },
    { name: "pods", used: used.pods, asked: requested.pods, hard: budget.pods },
  ].filter((r) => r.asked > 0 && r.used + r.asked > r.hard);
  return exceeded.length ? platformRefusal(exceeded) : undefined;
}

/** A budget, or its use, as quantities: for the management API. */
export function formatBudget(b: BudgetUsage & { storageBytes: number }) {
  return {
    cpu: formatAmount("limits.cpu", b.cpuMillis),
    memory: formatAmount("limits.memory", b.memoryBytes),
    pods: String(b.pods),
    storage: formatAmount("storage", b.storageBytes),
  };
}
