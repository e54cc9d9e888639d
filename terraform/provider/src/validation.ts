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
