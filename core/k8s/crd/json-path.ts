/**
 * The JSONPath subset CRDs use in printer columns and scale paths, evaluated the way kubectl's JSONPath
 * does: `.a.b`, `['a.b']`, `[0]`, `[*]`, and filters `[?(@.type=="Ready")]`. Pure.
 */

type Step =
  | { kind: "field"; name: string }
  | { kind: "index"; index: number }
  | { kind: "all" }
  | { kind: "filter"; path: string[]; value: string };

const STEP =
  /^(?:\.([A-Za-z0-9_$-]+)|\[['"]([^'"]+)['"]\]|\[(-?\d+)\]|\[\*\]|\.\*|\[\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*==\s*['"]([^'"]*)['"]\)\])/;

/** The steps of a path, or undefined when it is outside the subset. */
export function parseJsonPath(path: string): Step[] | undefined {
  let rest = path
    .trim()
    .replace(/^\{(.*)\}$/, "$1")
    .replace(/^\$/, "");
  const steps: Step[] = [];
  while (rest) {
    const m = STEP.exec(rest);
    if (!m) return undefined;
    if (m[1] !== undefined || m[2] !== undefined)
      steps.push({ kind: "field", name: (m[1] ?? m[2]) as string });
    else if (m[3] !== undefined) steps.push({ kind: "index", index: Number(m[3]) });
    else if (m[4] !== undefined)
      steps.push({ kind: "filter", path: m[4].slice(1).split("."), value: m[5] ?? "" });
    else steps.push({ kind: "all" });
    rest = rest.slice(m[0].length);
  }
  return steps;
}

const get = (v: unknown, key: string) =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;

/** Every value the path reaches. */
export function evaluateJsonPath(obj: unknown, path: string): unknown[] {
  let values: unknown[] = [obj];
  for (const step of parseJsonPath(path) ?? []) {
    const next: unknown[] = [];
    for (const v of values) {
      if (step.kind === "field") {
        const f = get(v, step.name);
        if (f !== undefined) next.push(f);
      } else if (step.kind === "index") {
        if (Array.isArray(v)) {
          const item = v[step.index < 0 ? v.length + step.index : step.index];
          if (item !== undefined) next.push(item);
        }
      } else if (step.kind === "all") {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === "object") next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          const found = step.path.reduce<unknown>((o, k) => get(o, k), item);
          if (found !== undefined && String(found) === step.value) next.push(item);
        }
      }
    }
    values = next;
  }
  return values;
}

/** Sets a value at a path of plain fields (`.spec.replicas`), making the objects on the way. */
export function setJsonPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const steps = parseJsonPath(path) ?? [];
  let node: Record<string, unknown> = obj;
  for (const [i, step] of steps.entries()) {
    if (step.kind !== "field") return;
    if (i === steps.length - 1) node[step.name] = value;
    else {
      const next = node[step.name];
      if (!next || typeof next !== "object" || Array.isArray(next)) node[step.name] = {};
      node = node[step.name] as Record<string, unknown>;
    }
  }
}
