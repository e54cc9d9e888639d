import type { JSONSchemaProps } from "./types";

/**
 * A bound on what one evaluation of a rule iterates, from the schema: each comprehension (all, exists,
 * exists_one, map, filter) runs once per element of what it ranges over, up to its maxItems or
 * maxProperties, or as many as a request body could hold. Nested ones multiply, as in kube-apiserver's
 * estimate; a rule past the budget is refused when the CRD is written, so none can hold the shared API
 * process over one large list. Pure.
 */

const COMPREHENSIONS = new Set(["all", "exists", "exists_one", "map", "filter"]);
/** Elements a list or map can have within a request body (3 MiB, a few bytes each). */
export const UNBOUNDED = 300_000;
/** Iterations one evaluation of a rule may take. */
export const RULE_BUDGET = 1_000_000;

interface AstNode {
  op: string;
  args: unknown;
}

type Scope = Map<string, JSONSchemaProps | undefined>;

const isNode = (v: unknown): v is AstNode => typeof v === "object" && v !== null && "op" in v && "args" in v;

function schemaOf(node: unknown, scope: Scope): JSONSchemaProps | undefined {
  if (!isNode(node)) return undefined;
  if (node.op === "id") return scope.get(node.args as string);
  if (node.op === "." || node.op === ".?") {
    const [object, field] = node.args as [unknown, string];
    const s = schemaOf(object, scope);
    return (
      s?.properties?.[field] ??
      (typeof s?.additionalProperties === "object" ? s.additionalProperties : undefined)
    );
  }
  return undefined;
}

function iterations(node: unknown, scope: Scope): number {
  if (Array.isArray(node)) return node.reduce((sum: number, n) => sum + iterations(n, scope), 0);
  if (!isNode(node) || !Array.isArray(node.args)) return 0;
  const args = node.args as unknown[];
  if (node.op === "rcall" && COMPREHENSIONS.has(args[0] as string)) {
    const [, range, rest] = args as [string, unknown, unknown[]];
    const [variable, ...body] = rest;
    const s = schemaOf(range, scope);
    const count = s?.maxItems ?? s?.maxProperties ?? UNBOUNDED;
    const inner = new Map(scope);
    if (isNode(variable))
      inner.set(variable.args as string, s?.type === "array" ? s.items : { type: "string" });
    return iterations(range, scope) + count * (1 + iterations(body, inner));
  }
  return iterations(args, scope);
}

/** How far past the budget one evaluation of the parsed rule may go on a value of this schema: 0 if within. */
export function overBudget(ast: unknown, schema: JSONSchemaProps): number {
  const cost = iterations(
    ast,
    new Map([
      ["self", schema],
      ["oldSelf", schema],
    ]),
  );
  return cost > RULE_BUDGET ? cost / RULE_BUDGET : 0;
}
