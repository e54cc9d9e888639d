import type { Chart } from "./chart";
import { isMap } from "./template/values";
import { mergeValues } from "./values";

type Values = Record<string, unknown>;

/** An entry of Chart.yaml's `dependencies`, as far as rendering is concerned. */
interface DependencySpec {
  name: string;
  alias?: string;
  condition?: string;
  tags?: string[];
  importValues: (string | { child: string; parent: string })[];
}

function specsOf(chart: Chart): DependencySpec[] {
  const raw = chart.metadata?.dependencies;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isMap).map((d) => ({
    name: String(d.name ?? ""),
    ...(d.alias ? { alias: String(d.alias) } : {}),
    ...(d.condition ? { condition: String(d.condition) } : {}),
    ...(Array.isArray(d.tags) ? { tags: d.tags.map(String) } : {}),
    importValues: (Array.isArray(d["import-values"]) ? d["import-values"] : []).flatMap<
      DependencySpec["importValues"][number]
    >((iv: unknown) =>
      typeof iv === "string"
        ? [iv]
        : isMap(iv)
          ? [{ child: String(iv.child ?? ""), parent: String(iv.parent ?? "") }]
          : [],
    ),
  }));
}

/** The chart's values with what was given on top, and each subchart's defaults under its name. */
function coalesced(chart: Chart, given: Values): Values {
  const values = mergeValues(chart.values ?? {}, given);
  for (const dep of chart.dependencies ?? [])
    values[dep.name] = coalesced(dep, isMap(values[dep.name]) ? (values[dep.name] as Values) : {});
  return values;
}

function valueAt(values: Values, path: string): unknown {
  let node: unknown = values;
  for (const key of path.split(".")) {
    if (!isMap(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Helm's rule: tags switch a dependency off only when one is false and none is true; a condition decides. */
function enabled(spec: DependencySpec, values: Values, tags: unknown): boolean {
  let on = true;
  if (isMap(tags)) {
    const set = (spec.tags ?? []).map((t) => tags[t]).filter((v) => typeof v === "boolean");
    on = set.includes(true) || !set.includes(false);
  }
  for (const path of (spec.condition ?? "").split(",").map((c) => c.trim())) {
    const value = path ? valueAt(values, path) : undefined;
    if (typeof value === "boolean") return value;
  }
  return on;
}

/** Subcharts renamed by their alias, and dropped when their condition or tags switch them off. */
function withEnabled(chart: Chart, given: Values, tags: unknown): Chart {
  const specs = specsOf(chart);
  const subs = chart.dependencies ?? [];
  const named = specs.flatMap((spec) => {
    const sub = subs.find((s) => s.name === spec.name);
    return sub ? [{ spec, chart: spec.alias ? { ...sub, name: spec.alias } : sub }] : [];
  });
  const listed = subs.filter((s) => !specs.some((spec) => spec.name === s.name));
  const candidates = { ...chart, dependencies: [...listed, ...named.map((n) => n.chart)] };
  const values = coalesced(candidates, given);
  const kept = [...listed, ...named.filter((n) => enabled(n.spec, values, tags)).map((n) => n.chart)];
  return {
    ...chart,
    dependencies: kept.map((sub) =>
      withEnabled(sub, isMap(values[sub.name]) ? (values[sub.name] as Values) : {}, tags),
    ),
  };
}

/** `import-values`: parts of a subchart's values copied into its parent's defaults, below the parent's own. */
function withImports(chart: Chart): Chart {
  const deps = (chart.dependencies ?? []).map(withImports);
  const resolved = { ...chart, dependencies: deps };
  const present = new Set(deps.map((d) => d.name));
  const specs = specsOf(chart).filter((s) => s.importValues.length && present.has(s.alias ?? s.name));
  if (specs.length === 0) return resolved;
  const values = coalesced(resolved, {});
  let imported: Values = {};
  for (const spec of specs)
    for (const iv of spec.importValues) {
      const child = typeof iv === "string" ? `exports.${iv}` : iv.child;
      const table = valueAt(values, `${spec.alias ?? spec.name}.${child}`);
      if (!isMap(table)) continue;
      const parent = typeof iv === "string" ? "." : iv.parent;
      imported = mergeValues(parent === "." ? table : nest(parent, table), imported);
    }
  return { ...resolved, values: mergeValues(imported, values) };
}

function nest(path: string, value: Values): Values {
  return path
    .split(".")
    .reverse()
    .reduce<Values>((inner, key) => ({ [key]: inner }), value);
}

/**
 * The chart tree a release renders, as Helm's ProcessDependencies makes it from Chart.yaml's
 * `dependencies`: aliases applied, disabled subcharts gone, imported values in place. Pure.
 */
export function resolveDependencies(chart: Chart, values: Values): Chart {
  const tags = coalesced(chart, values).tags;
  return withImports(withEnabled(chart, values, tags));
}
