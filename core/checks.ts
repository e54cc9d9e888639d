import { RESOURCE_TYPES, type ResourceType } from "./k8s/resources";
import type { KubeObject } from "./k8s/types";

/**
 * An exercise check a teacher posts for a class: an object of each student's cluster (kubectl's
 * `deployment/monnginx`), a JSONPath into it (kubectl's `{.status.readyReplicas}`) and what it must be.
 */
export interface ExerciseCheck {
  name: string;
  resource: string;
  namespace?: string;
  jsonPath: string;
  op: "==" | "!=" | ">=" | "<=" | ">" | "<" | "exists";
  value?: string;
}

export const CHECK_OPS = ["==", "!=", ">=", "<=", ">", "<", "exists"] as const;

/** The served type kubectl would take a name for: plural, singular, short name or kind. */
export function resolveResource(name: string): ResourceType | undefined {
  const n = name.toLowerCase();
  return RESOURCE_TYPES.find(
    (t) =>
      !t.virtual &&
      (t.resource === n || t.singularName === n || t.shortNames.includes(n) || t.kind.toLowerCase() === n),
  );
}

/** `{.a.b[0].c}` (or without braces) as path steps; `\.` keeps a dot inside a key, as kubectl's JSONPath. */
export function jsonPathSteps(path: string): (string | number)[] | undefined {
  const inner = path
    .trim()
    .replace(/^\{(.*)\}$/s, "$1")
    .trim();
  if (!inner.startsWith(".")) return undefined;
  const steps: (string | number)[] = [];
  for (const raw of inner.slice(1).split(/(?<!\\)\./)) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(raw);
    if (!m) return undefined;
    if (m[1]) steps.push((m[1] as string).replace(/\\\./g, "."));
    for (const index of (m[2] ?? "").matchAll(/\[(\d+)\]/g)) steps.push(Number(index[1]));
  }
  return steps;
}

/** What a check finds in an object, printed as kubectl's JSONPath output prints it; undefined when absent. */
export function seenValue(obj: KubeObject | undefined, path: string): string | undefined {
  let at: unknown = obj;
  for (const step of jsonPathSteps(path) ?? []) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  if (at === undefined || obj === undefined) return undefined;
  return typeof at === "object" ? JSON.stringify(at) : String(at);
}

/** Why a check cannot be evaluated as written; undefined when it can. */
export function checkProblem(check: ExerciseCheck): string | undefined {
  const [kind, name, ...rest] = check.resource.split("/");
  if (!kind || !name || rest.length)
    return `resource: "${check.resource}" is not TYPE/NAME, e.g. deployment/monnginx`;
  if (!resolveResource(kind)) return `resource: the server doesn't have a resource type "${kind}"`;
  if (!jsonPathSteps(check.jsonPath))
    return `jsonPath: "${check.jsonPath}" is not a path such as {.status.readyReplicas}`;
  if (check.op !== "exists" && check.value === undefined) return `value: required with op "${check.op}"`;
  return undefined;
}

/** Whether the value seen satisfies the check: numbers compared as numbers, anything else as text. Pure. */
export function passes(check: ExerciseCheck, seen: string | undefined): boolean {
  if (check.op === "exists") return seen !== undefined;
  if (seen === undefined) return check.op === "!=";
  const expected = check.value ?? "";
  const numeric =
    seen.trim() !== "" &&
    expected.trim() !== "" &&
    !Number.isNaN(Number(seen)) &&
    !Number.isNaN(Number(expected));
  const [a, b] = numeric ? [Number(seen), Number(expected)] : [seen, expected];
  switch (check.op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case ">=":
      return a >= b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case "<":
      return a < b;
  }
}
