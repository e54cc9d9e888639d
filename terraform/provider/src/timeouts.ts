import { type Diagnostic, error } from "./diagnostics";
import type { BlockSchema } from "./schema";
import { asObject, type ObjectValue, type Value } from "./values";

export type Operation = "create" | "update" | "delete";

/** The `timeouts` block of a resource whose `operations` wait, each a duration such as 10m or 1h30m. */
export function timeoutsBlock(operations: Operation[]): NonNullable<BlockSchema["blocks"]> {
  return {
    timeouts: {
      description: "How long each operation may wait for the platform before it fails.",
      attributes: Object.fromEntries(
        operations.map((operation) => [
          operation,
          { type: "string", optional: true, description: `For ${operation}, e.g. 10m (default 10m).` },
        ]),
      ),
    },
  };
}

const DEFAULT_MS = 10 * 60_000;
const UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
const DURATION = /^((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?$/;

function durationMs(text: string): number | null {
  if (!text || !DURATION.test(text)) return null;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([dhms])/g))
    ms += Number(amount) * (UNITS[unit as string] ?? 0);
  return ms;
}

/** The time `operation` may take by the state's `timeouts` block, 10 minutes when unset. */
export function timeoutOf(state: ObjectValue, operation: Operation): number {
  const value = asObject(state.timeouts ?? null)?.[operation];
  return typeof value === "string" ? (durationMs(value) ?? DEFAULT_MS) : DEFAULT_MS;
}

/** Errors on the `timeouts` block's durations that do not parse. */
export function validateTimeouts(config: ObjectValue): Diagnostic[] {
  const block = asObject(config.timeouts ?? null) ?? {};
  return Object.entries(block).flatMap(([operation, value]: [string, Value]) =>
    typeof value !== "string" || durationMs(value) !== null
      ? []
      : [
          error(
            "Invalid timeouts",
            `${operation}: "${value}" must be a duration such as 10m or 1h30m`,
            "timeouts",
          ),
        ],
  );
}
