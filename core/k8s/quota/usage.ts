import { isTerminal } from "../pods";
import { cpuMillis, memoryBytes } from "../requests";
import type { Container, KubeObject, Pod } from "../types";

export interface ResourceQuota extends KubeObject {
  spec: { hard?: Record<string, string>; scopes?: string[] };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

/** What objects use, by quota resource name: CPU in millicores, memory and storage in bytes, else counts. */
export type Usage = Record<string, number>;

const COMPUTE = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;
const isCpu = (name: string) => name === "cpu" || name.endsWith(".cpu");

/** A quantity of a quota resource as a number (see Usage). */
export function amountOf(name: string, quantity: string): number {
  return isCpu(name) ? cpuMillis(quantity) : memoryBytes(quantity);
}

/** A number back as Kubernetes prints the quantity: `500m`, `2`, `128Mi`, `3`. */
export function formatAmount(name: string, amount: number): string {
  if (isCpu(name)) return amount % 1000 === 0 ? String(amount / 1000) : `${amount}m`;
  if (!name.includes("memory") && !name.includes("storage")) return String(amount);
  for (const [suffix, size] of [
    ["Ti", 2 ** 40],
    ["Gi", 2 ** 30],
    ["Mi", 2 ** 20],
    ["Ki", 2 ** 10],
  ] as const)
    if (amount >= size && amount % size === 0) return `${amount / size}${suffix}`;
  return String(amount);
}

function containerAmount(c: Container, kind: "requests" | "limits", resource: "cpu" | "memory"): number {
  const q =
    c.resources?.[kind]?.[resource] ?? (kind === "requests" ? c.resources?.limits?.[resource] : undefined);
  return q ? amountOf(resource, q) : 0;
}

/** A pod's effective amount: its containers' sum, or its largest init container's when that is more. */
function podAmount(pod: Pod, kind: "requests" | "limits", resource: "cpu" | "memory"): number {
  const sum = pod.spec.containers.reduce((n, c) => n + containerAmount(c, kind, resource), 0);
  const init = Math.max(0, ...(pod.spec.initContainers ?? []).map((c) => containerAmount(c, kind, resource)));
  return Math.max(sum, init);
}

/** What one object counts against quotas (a finished pod counts nothing). */
export function objectUsage(group: string, resource: string, obj: KubeObject): Usage {
  const usage: Usage = { [`count/${resource}${group ? `.${group}` : ""}`]: 1 };
  if (group !== "") return usage;
  if (resource === "pods") {
    const pod = obj as Pod;
    if (isTerminal(pod)) return {};
    usage.pods = 1;
    for (const name of COMPUTE) {
      const [kind, res] = name.split(".") as ["requests" | "limits", "cpu" | "memory"];
      usage[name] = podAmount(pod, kind, res);
    }
    usage.cpu = usage["requests.cpu"] ?? 0;
    usage.memory = usage["requests.memory"] ?? 0;
  } else if (resource === "services") {
    const spec = (obj.spec ?? {}) as { type?: string; ports?: unknown[] };
    usage.services = 1;
    if (spec.type === "NodePort" || spec.type === "LoadBalancer")
      usage["services.nodeports"] = (spec.ports ?? []).length;
    if (spec.type === "LoadBalancer") usage["services.loadbalancers"] = 1;
  } else if (resource === "persistentvolumeclaims") {
    usage.persistentvolumeclaims = 1;
    const storage = (obj.spec as { resources?: { requests?: { storage?: string } } } | undefined)?.resources
      ?.requests?.storage;
    usage["requests.storage"] = storage ? amountOf("requests.storage", storage) : 0;
  } else if (["configmaps", "secrets", "replicationcontrollers", "resourcequotas"].includes(resource)) {
    usage[resource] = 1;
  }
  return usage;
}

export function addUsage(total: Usage, more: Usage): Usage {
  for (const [name, amount] of Object.entries(more)) total[name] = (total[name] ?? 0) + amount;
  return total;
}

/** The quota's status: its hard limits and what the namespace uses of each. */
export function quotaStatus(quota: ResourceQuota, used: Usage): NonNullable<ResourceQuota["status"]> {
  const hard = quota.spec.hard ?? {};
  return {
    hard: { ...hard },
    used: Object.fromEntries(Object.keys(hard).map((name) => [name, formatAmount(name, used[name] ?? 0)])),
  };
}

/**
 * Why a new object may not be created under this quota (ResourceQuota admission's wording), or undefined.
 * A pod must state every compute resource the quota limits.
 */
export function quotaRefusal(
  quota: ResourceQuota,
  used: Usage,
  requested: Usage,
  obj: KubeObject,
): string | undefined {
  const hard = quota.spec.hard ?? {};
  const name = quota.metadata.name;
  if ((obj as Pod).spec?.containers && requested.pods) {
    const missing = COMPUTE.filter(
      (r) => hard[r] !== undefined || (r.startsWith("requests.") && hard[r.slice(9)] !== undefined),
    )
      .map((r) => {
        const [kind, res] = r.split(".") as ["requests" | "limits", "cpu" | "memory"];
        const lacking = (obj as Pod).spec.containers
          .filter((c) => containerAmount(c, kind, res) === 0)
          .map((c) => c.name);
        return lacking.length ? `${r} for: ${lacking.join(",")}` : "";
      })
      .filter(Boolean);
    if (missing.length) return `failed quota: ${name}: must specify ${missing.join("; ")}`;
  }
  const over = Object.keys(hard)
    .filter(
      (r) => (requested[r] ?? 0) > 0 && (used[r] ?? 0) + (requested[r] ?? 0) > amountOf(r, hard[r] ?? "0"),
    )
    .sort();
  if (!over.length) return undefined;
  const list = (f: (r: string) => string) => over.map((r) => `${r}=${f(r)}`).join(",");
  return `exceeded quota: ${name}, requested: ${list((r) => formatAmount(r, requested[r] ?? 0))}, used: ${list(
    (r) => formatAmount(r, used[r] ?? 0),
  )}, limited: ${list((r) => hard[r] ?? "")}`;
}
