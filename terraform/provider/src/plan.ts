import type { BlockSchema } from "./schema";
import { asObject, type ObjectValue, UNKNOWN, type Value } from "./values";

export interface PlanInput {
  prior: Value;
  proposed: Value;
  config: Value;
}

export interface Planned {
  planned: Value;
  /** Attributes whose change replaces the object (destroy then create) rather than updating it. */
  requiresReplace: string[];
}

/**
 * Terraform's proposed new state made a plan: on create, and on a replacing change, every computed
 * attribute the configuration leaves unset becomes "known after apply"; a change to an attribute in
 * `replaceOn` replaces; a destroy plans null. Updates keep the proposed state, which already carries
 * the prior computed values.
 */
export function planChange(schema: BlockSchema, replaceOn: string[], input: PlanInput): Planned {
  const proposed = asObject(input.proposed);
  if (!proposed) return { planned: null, requiresReplace: [] };
  const prior = asObject(input.prior);
  const config = asObject(input.config) ?? {};
  const requiresReplace = prior
    ? replaceOn.filter((name) => !sameValue(prior[name] ?? null, proposed[name] ?? null))
    : [];
  if (prior && requiresReplace.length === 0) return { planned: proposed, requiresReplace };
  const planned: ObjectValue = { ...proposed };
  for (const [name, attribute] of Object.entries(schema.attributes)) {
    if (attribute.computed && (config[name] ?? null) === null) planned[name] = UNKNOWN;
  }
  return { planned, requiresReplace };
}

function sameValue(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b) && a !== UNKNOWN && b !== UNKNOWN;
}
