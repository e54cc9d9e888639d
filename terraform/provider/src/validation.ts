import { type Diagnostic, error } from "./diagnostics";
import type { ObjectValue } from "./values";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DURATION = /^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/;

/** An error on `attribute` unless it is unset, unknown yet, or a DNS-1123 label (as the API requires of names). */
export function validateLabel(config: ObjectValue, attribute: string): Diagnostic[] {
  const value = config[attribute];
  if (typeof value !== "string" || (value.length <= 63 && DNS_LABEL.test(value))) return [];
  return [
    error(
      `Invalid ${attribute}`,
      `"${value}" must be a DNS-1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit`,
      attribute,
    ),
  ];
}

/** An error on `attribute` unless it is unset, unknown yet, or a duration such as 72h, 90m, 1h30m or 7d. */
export function validateDuration(config: ObjectValue, attribute: string): Diagnostic[] {
  const value = config[attribute];
  if (typeof value !== "string" || (value.length >= 2 && DURATION.test(value))) return [];
  return [
    error(`Invalid ${attribute}`, `"${value}" must be a duration such as 72h, 90m, 1h30m or 7d`, attribute),
  ];
}

const BUDGET_KEYS = ["memory", "cpu", "pods", "storage"];

/** An error on `attribute` unless it is unset or a budget map: memory, cpu, pods (an integer), storage. */
export function validateBudget(config: ObjectValue, attribute: string): Diagnostic[] {
  const budget = config[attribute];
  if (budget === null || typeof budget !== "object" || Array.isArray(budget)) return [];
  return Object.entries(budget).flatMap(([key, value]) => {
    if (!BUDGET_KEYS.includes(key))
      return [error(`Invalid ${attribute}`, `"${key}" is not one of ${BUDGET_KEYS.join(", ")}`, attribute)];
    if (key === "pods" && typeof value === "string" && !/^\d+$/.test(value))
      return [error(`Invalid ${attribute}`, `pods must be a whole number, not "${value}"`, attribute)];
    return [];
  });
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** An error on `attribute` unless it is unset, unknown yet, or an RFC 3339 timestamp such as 2027-01-31T18:00:00Z. */
export function validateTimestamp(config: ObjectValue, attribute: string): Diagnostic[] {
  const value = config[attribute];
  if (typeof value !== "string" || (RFC3339.test(value) && !Number.isNaN(Date.parse(value)))) return [];
  return [
    error(
      `Invalid ${attribute}`,
      `"${value}" must be an RFC 3339 timestamp such as 2027-01-31T18:00:00Z`,
      attribute,
    ),
  ];
}
