import { Environment } from "@marcbachmann/cel-js";
import { type FieldError, type FieldErrorType, fieldErrors } from "../validation/field-errors";
import { overBudget } from "./cel-cost";
import { compilePattern } from "./regex";
import type { JSONSchemaProps, ValidationRule } from "./types";

/**
 * `x-kubernetes-validations`: CEL rules on a schema node, with `self` the node's value and `oldSelf` its
 * previous value on updates (transition rules). The CEL standard library and macros (has, size, all, exists,
 * exists_one, map, filter, matches, startsWith, endsWith, contains, string conversions…) are served by
 * @marcbachmann/cel-js; Kubernetes' own CEL libraries (quantity, url, ip, cidr, isSorted, sum, indexOf on
 * lists, format…) are not, and a rule using one is refused when the CRD is written.
 */

/** `matches()` in RE2, as kube-apiserver runs it: linear time, so no pattern can hold the shared API process. */
function re2Matches(value: string, pattern: string): boolean {
  const re = compilePattern(pattern);
  if (typeof re === "string") throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${re}`);
  return re.test(value);
}

const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false })
  .registerFunction("string.re2Matches(string): bool", re2Matches)
  .registerFunction("re2Matches(string, string): bool", re2Matches);
type Program = ReturnType<typeof env.parse>;
const MAX_PROGRAMS = 5000;
const programs = new Map<string, Program>();

interface AstNode {
  op: string;
  args: unknown;
}

const isNode = (v: unknown): v is AstNode => typeof v === "object" && v !== null && "op" in v && "args" in v;
const isMatches = (n: AstNode) =>
  (n.op === "rcall" || n.op === "call") && (n.args as unknown[])[0] === "matches";

/**
 * Points every `matches()` of a parsed expression at re2Matches: the library's own runs JavaScript's
 * backtracking engine, where `^(a+)+$` takes exponential time. Returns the literal patterns met.
 */
function routeMatchesToRe2(node: unknown, literals: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) routeMatchesToRe2(n, literals);
  else if (isNode(node)) {
    const args = node.args as unknown[];
    if (isMatches(node)) {
      args[0] = "re2Matches";
      const pattern = node.op === "rcall" ? (args[2] as unknown[])[0] : (args[1] as unknown[])[1];
      if (isNode(pattern) && pattern.op === "value" && typeof pattern.args === "string")
        literals.push(pattern.args);
    }
    if (Array.isArray(node.args)) routeMatchesToRe2(node.args, literals);
  }
  return literals;
}

function program(expression: string): Program {
  let p = programs.get(expression);
  if (!p) {
    p = env.parse(expression);
    routeMatchesToRe2(p.ast);
    if (programs.size >= MAX_PROGRAMS) programs.clear();
    programs.set(expression, p);
  }
  return p;
}

const usesOldSelf = (rule: string) => /\boldSelf\b/.test(rule);
const REASONS = new Set([
  "FieldValueInvalid",
  "FieldValueForbidden",
  "FieldValueRequired",
  "FieldValueDuplicate",
]);

/** A literal `matches()` pattern that RE2 does not take, found when the CRD is written. */
function patternProblem(expression: string): string | undefined {
  for (const pattern of routeMatchesToRe2(env.parse(expression).ast)) {
    const re = compilePattern(pattern);
    if (typeof re === "string")
      return `compilation failed: invalid regular expression ${JSON.stringify(pattern)}: ${re}`;
  }
  return undefined;
}

/** Why an expression cannot be used, or undefined: a syntax error, an unknown function, a result of the wrong type. */
function compileError(
  expression: string,
  result: "bool" | "string",
  schema: JSONSchemaProps,
): string | undefined {
  try {
    const risky = patternProblem(expression);
    if (risky) return risky;
    const checked = program(expression).check();
    if (!checked.valid) return `compilation failed: ${checked.error?.message ?? "type error"}`;
    if (checked.type !== result && checked.type !== "dyn") return `must evaluate to ${result}`;
    const factor = overBudget(program(expression).ast, schema);
    if (factor)
      return `estimated rule cost exceeds budget by factor of ${factor.toFixed(1)}x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
    return undefined;
  } catch (err) {
    return `compilation failed: ${(err as Error).message.split("\n")[0]}`;
  }
}

/** Every rule of the schema that does not compile, at its path in the CRD. */
export function ruleErrors(schema: JSONSchemaProps | undefined, path: string): FieldError[] {
  if (!schema) return [];
  const errs: FieldError[] = [];
  for (const [i, r] of (schema["x-kubernetes-validations"] ?? []).entries()) {
    const at = `${path}.x-kubernetes-validations[${i}]`;
    if (!r.rule) errs.push(fieldErrors.required(`${at}.rule`, "rule is not specified"));
    else {
      const problem = compileError(r.rule, "bool", schema);
      if (problem) errs.push(fieldErrors.invalid(`${at}.rule`, r.rule, problem));
    }
    if (r.messageExpression) {
      const problem = compileError(r.messageExpression, "string", schema);
      if (problem) errs.push(fieldErrors.invalid(`${at}.messageExpression`, r.messageExpression, problem));
    }
    if (r.reason && !REASONS.has(r.reason))
      errs.push(fieldErrors.notSupported(`${at}.reason`, r.reason, [...REASONS]));
  }
  for (const [k, p] of Object.entries(schema.properties ?? {}))
    errs.push(...ruleErrors(p, `${path}.properties[${k}]`));
  if (schema.items) errs.push(...ruleErrors(schema.items, `${path}.items`));
  if (typeof schema.additionalProperties === "object")
    errs.push(...ruleErrors(schema.additionalProperties, `${path}.additionalProperties`));
  return errs;
}

/** A JSON value as CEL sees it: integers are `int` (bigint) unless the schema says `number`. */
function toCel(v: unknown, s: JSONSchemaProps | undefined): unknown {
  if (typeof v === "number") return Number.isInteger(v) && s?.type !== "number" ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map((item) => toCel(item, s?.items));
  if (v && typeof v === "object") {
    const additional = typeof s?.additionalProperties === "object" ? s.additionalProperties : undefined;
    return Object.fromEntries(
      Object.entries(v).map(([k, item]) => [k, toCel(item, s?.properties?.[k] ?? additional)]),
    );
  }
  return v;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function typeName(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return v === null ? "null" : typeof v;
}

function failure(r: ValidationRule, path: string, value: unknown, message: string): FieldError {
  const field = r.fieldPath ? `${path}${r.fieldPath}` : path || "<nil>";
  const reason = (r.reason as FieldErrorType | undefined) ?? "FieldValueInvalid";
  if (reason === "FieldValueInvalid") return fieldErrors.invalid(field, typeName(value), message);
  if (reason === "FieldValueDuplicate") return fieldErrors.duplicate(field, typeName(value));
  return { type: reason, field, detail: message };
}

function messageOf(r: ValidationRule, vars: Record<string, unknown>): string {
  if (r.messageExpression) {
    try {
      const m = program(r.messageExpression)(vars);
      if (typeof m === "string" && m.trim() && !m.includes("\n")) return m;
    } catch {
      // kube-apiserver falls back to the rule's message when the expression fails
    }
  }
  return r.message || `failed rule: ${r.rule}`;
}

/**
 * The CEL rules a value breaks, walking the schema; `old` is the stored value at the same place (objects
 * by field, `x-kubernetes-list-type: map` lists by key), and rules naming oldSelf run only where it exists.
 */
export function celErrors(
  value: unknown,
  old: unknown,
  s: JSONSchemaProps | undefined,
  path = "",
): FieldError[] {
  if (!s || value === undefined || value === null) return [];
  const errs: FieldError[] = [];
  for (const r of s["x-kubernetes-validations"] ?? []) {
    const transition = usesOldSelf(r.rule);
    if (transition && old === undefined && !r.optionalOldSelf) continue;
    const vars: Record<string, unknown> = { self: toCel(value, s) };
    if (transition) vars.oldSelf = old === undefined ? undefined : toCel(old, s);
    let ok: unknown;
    try {
      ok = program(r.rule)(vars);
    } catch (err) {
      const detail = `${r.rule}: ${(err as Error).message.split("\n")[0]}`;
      errs.push(fieldErrors.invalid(path || "<nil>", typeName(value), `rule evaluation error: ${detail}`));
      continue;
    }
    if (ok !== true) errs.push(failure(r, path, value, messageOf(r, vars)));
  }
  const sub = (key: string) => (path ? `${path}.${key}` : key);
  if (isObj(value)) {
    const additional = typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;
    for (const [k, v] of Object.entries(value)) {
      const prop = s.properties?.[k] ?? additional;
      const p = s.properties?.[k] ? sub(k) : `${path}[${k}]`;
      if (prop) errs.push(...celErrors(v, isObj(old) ? old[k] : undefined, prop, p));
    }
  } else if (Array.isArray(value) && s.items) {
    const keys = s["x-kubernetes-list-type"] === "map" ? (s["x-kubernetes-list-map-keys"] ?? []) : undefined;
    for (const [i, item] of value.entries()) {
      const previous =
        keys && Array.isArray(old) && isObj(item)
          ? old.find((o) => isObj(o) && keys.every((k) => o[k] === item[k]))
          : undefined;
      errs.push(...celErrors(item, previous, s.items, `${path}[${i}]`));
    }
  }
  return errs;
}
