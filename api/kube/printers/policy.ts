import type { PodDisruptionBudget } from "../../../core/k8s/disruption/budget";
import type { ResourceQuota } from "../../../core/k8s/quota/usage";
import { AGE, column, NAME, type Printer } from "./columns";
import { since } from "./duration";

function usage(quota: ResourceQuota, limits: boolean): string {
  const hard = quota.status?.hard ?? quota.spec.hard ?? {};
  return Object.keys(hard)
    .filter((name) => name.startsWith("limits.") === limits)
    .sort()
    .map((name) => `${name}: ${quota.status?.used?.[name] ?? "0"}/${hard[name]}`)
    .join(", ");
}

export const POLICY_PRINTERS: Record<string, Printer> = {
  ResourceQuota: {
    columns: [
      NAME,
      AGE,
      column("Request", "The requests and counts the quota limits, used/hard"),
      column("Limit", "The limits the quota limits, used/hard"),
    ],
    row: (o, now) => {
      const quota = o as ResourceQuota;
      return [
        quota.metadata.name,
        since(quota.metadata.creationTimestamp, now),
        usage(quota, false),
        usage(quota, true),
      ];
    },
  },
  PodDisruptionBudget: {
    columns: [
      NAME,
      column("Min Available", "The minimum number of pods that must be available"),
      column("Max Unavailable", "The maximum number of pods that may be unavailable"),
      column("Allowed Disruptions", "How many pods may be disrupted now", { type: "integer" }),
      AGE,
    ],
    row: (o, now) => {
      const budget = o as PodDisruptionBudget;
      return [
        budget.metadata.name,
        budget.spec.minAvailable === undefined ? "N/A" : String(budget.spec.minAvailable),
        budget.spec.maxUnavailable === undefined ? "N/A" : String(budget.spec.maxUnavailable),
        budget.status?.disruptionsAllowed ?? 0,
        since(budget.metadata.creationTimestamp, now),
      ];
    },
  },
  LimitRange: {
    columns: [NAME, column("Created At", "The time the limit range was created", { type: "date" })],
    row: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? ""],
  },
};
