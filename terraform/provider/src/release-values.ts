import { parse } from "yaml";
import { parseSetValues } from "../../../helm/strvals";
import { mergeValues as mergeOver } from "../../../helm/values";
import { asObject, type Value } from "./values";

type Values = Record<string, unknown>;

const isMap = (value: unknown): value is Values =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Values files merged as helm merges them: maps key by key, anything else replaced. */
export function mergeValues(files: string[]): Values {
  return files.reduce<Values>((acc, file) => {
    const parsed = parse(file) ?? {};
    if (!isMap(parsed)) throw new Error("a values file must be a mapping");
    return mergeOver(acc, parsed);
  }, {});
}

/** The `set` map as `--set` assignments. */
export const setAssignments = (set: Value | undefined): string[] =>
  Object.entries(asObject(set ?? null) ?? {}).map(([key, value]) => `${key}=${String(value)}`);

const valuesFiles = (values: Value | undefined) => (Array.isArray(values) ? (values as string[]) : []);

/** The values and `--set` assignments as the management API sends them with a release. */
export const releaseValues = (values: Value | undefined, set: Value | undefined) => ({
  values: mergeValues(valuesFiles(values)),
  set: setAssignments(set),
});

/** Values with maps' keys in order, so that two equal values write the same JSON. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isMap(value)) return typeof value === "bigint" ? Number(value) : value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical(value[key])]),
  );
}

/**
 * Whether a release's user-supplied values (as the API shows them: values, then `--set` on top) are what
 * these `values` and `set` make; a `set` that does not parse is taken as different.
 */
export function valuesMatch(values: Value | undefined, set: Value | undefined, current: Values): boolean {
  let given: Values;
  try {
    given = mergeOver(mergeValues(valuesFiles(values)), parseSetValues(setAssignments(set)));
  } catch {
    return false;
  }
  return JSON.stringify(canonical(given)) === JSON.stringify(canonical(current));
}
