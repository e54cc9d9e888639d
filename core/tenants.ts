import type { ClusterBudget } from "./k8s/budget";
import { parseQuantity } from "./k8s/quantity";
import { formatAmount } from "./k8s/quota/usage";
import { cpuMillis, memoryBytes } from "./k8s/requests";

/** A chart a class installs into every new cluster: one of the built-in catalog, or an uploaded one's files. */
export interface TenantChart {
  /** The release's name in each cluster. */
  name: string;
  namespace: string;
  /** A chart of the built-in catalog (core/charts/catalog.ts), by name. */
  catalog?: string;
  /** An uploaded chart's files by chart-relative path, packaged subcharts already expanded. */
  files?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** How many students one roster request may hold: enough for a lecture hall, few enough to answer quickly. */
export const ROSTER_LIMIT = 500;

/** The longest duration a class setting takes (a school year and a bit). */
export const MAX_DURATION_SECONDS = 400 * 24 * 3600;

const UNITS = { d: 86_400, h: 3600, m: 60, s: 1 } as const;

/**
 * A duration as the settings take it: `72h`, `90m`, `1h30m`, `7d`, `45s` (Go's units plus days), in
 * seconds; undefined when it does not read as one or is zero.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === "") return undefined;
  const [, d, h, min, s] = m;
  const seconds =
    Number(d ?? 0) * UNITS.d + Number(h ?? 0) * UNITS.h + Number(min ?? 0) * UNITS.m + Number(s ?? 0);
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** Seconds back as hours, minutes and seconds, the zero parts left out: 259200 → `72h`, 5400 → `1h30m`. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s || seconds === 0 ? `${s}s` : ""}`;
}

/** A budget as the management API takes it: quantities, each field optional. */
export interface BudgetInput {
  memory?: string | undefined;
  cpu?: string | undefined;
  pods?: number | undefined;
  storage?: string | undefined;
}

const FIELDS = [
  { key: "memoryBytes", field: "memory", resource: "limits.memory" },
  { key: "cpuMillis", field: "cpu", resource: "limits.cpu" },
  { key: "pods", field: "pods", resource: "pods" },
  { key: "storageBytes", field: "storage", resource: "storage" },
] as const;

/**
 * A budget from quantities: the amounts it sets, or the message naming the first field that is not a
 * positive quantity of its kind (`what` prefixes the field, e.g. `budget.memory`).
 */
export function parseBudget(
  input: BudgetInput,
  what: string,
): { budget: Partial<ClusterBudget> } | { error: string } {
  const budget: Partial<ClusterBudget> = {};
  for (const { key, field } of FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    if (key === "pods") {
      budget.pods = value as number;
      continue;
    }
    const text = String(value);
    const amount =
      parseQuantity(text) === undefined ? 0 : (key === "cpuMillis" ? cpuMillis : memoryBytes)(text);
    if (!(amount > 0))
      return {
        error: `${what}.${field}: ${JSON.stringify(text)} is not a ${field === "cpu" ? "CPU" : field} quantity`,
      };
    budget[key] = amount;
  }
  return { budget };
}

/** A budget's amounts as quantities (`8Gi`, `4`, `50`, `64Mi`), only the fields it sets. */
export function formatPartialBudget(budget: Partial<ClusterBudget>): BudgetInput {
  const out: BudgetInput = {};
  for (const { key, field, resource } of FIELDS) {
    const amount = budget[key];
    if (amount === undefined) continue;
    if (field === "pods") out.pods = amount;
    else out[field] = formatAmount(resource, amount);
  }
  return out;
}

/**
 * Why `budget` may not be set under `ceiling` (every field it sets at most the ceiling's), naming each
 * field above it; undefined when it fits. Pure.
 */
export function aboveCeiling(
  budget: Partial<ClusterBudget>,
  ceiling: ClusterBudget,
  what: string,
): string | undefined {
  const over = FIELDS.filter(({ key }) => (budget[key] ?? 0) > ceiling[key]).map(
    ({ key, field, resource }) =>
      `${what}.${field} ${formatAmount(resource, budget[key] ?? 0)} is above the class's ceiling of ${formatAmount(resource, ceiling[key])}`,
  );
  return over.length ? `${over.join("; ")} (only the platform admin may raise the ceiling)` : undefined;
}

/**
 * What a student cluster may use: the platform's defaults, overridden by its class's budget, overridden by
 * its own. Pure.
 */
export function effectiveBudget(
  platform: ClusterBudget,
  tenant: Partial<ClusterBudget> | null | undefined,
  cluster: Partial<ClusterBudget> | null | undefined,
): ClusterBudget {
  return { ...platform, ...(tenant ?? {}), ...(cluster ?? {}) };
}
