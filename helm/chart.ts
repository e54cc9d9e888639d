import { resolveDependencies } from "./dependencies";
import { type EngineOptions, renderTemplates } from "./engine";
import { Files } from "./files";
import { schemaViolations } from "./schema";
import { isMap } from "./template/values";
import { coalesce } from "./values";

/** A chart as the engine takes it: already loaded, templates keyed by chart-relative name. */
export interface Chart {
  name: string;
  /** `application` (the default) or `library`: a library's templates only provide defines. */
  type?: string;
  version?: string;
  apiVersion?: string;
  appVersion?: string;
  values?: Record<string, unknown>;
  files?: Record<string, string>;
  templates: Record<string, string>;
  dependencies?: Chart[];
  /** Chart.yaml as written: what `.Chart` shows, and the `dependencies` with their conditions and imports. */
  metadata?: Record<string, unknown>;
  /** values.schema.json, which the values must satisfy. */
  schema?: string;
}

type Values = Record<string, unknown>;

/** `.Capabilities`: the cluster the chart is rendered for. */
export class Capabilities {
  readonly KubeVersion: { Version: string; Major: string; Minor: string; GitVersion: string };
  readonly APIVersions: APIVersions;
  constructor(kube = { major: "1", minor: "20" }, apiVersions: string[] = []) {
    const version = `v${kube.major}.${kube.minor}.0`;
    this.KubeVersion = { Version: version, Major: kube.major, Minor: kube.minor, GitVersion: version };
    this.APIVersions = new APIVersions(apiVersions);
  }
}

export class APIVersions {
  constructor(private readonly versions: string[]) {}
  Has(version: unknown): boolean {
    return this.versions.includes(String(version));
  }
}

/** The values each chart of the tree sees: subcharts under their name, `global` copied down. */
function valuesTree(
  chart: Chart,
  given: Values,
  parentGlobal: Values | undefined,
  path: string,
  out: Map<string, Values>,
) {
  const values = coalesce(chart.values, given);
  if (parentGlobal) values.global = coalesce(isMap(values.global) ? values.global : {}, parentGlobal);
  for (const dep of chart.dependencies ?? []) {
    const sub = isMap(values[dep.name]) ? (values[dep.name] as Values) : {};
    valuesTree(
      dep,
      sub,
      isMap(values.global) ? (values.global as Values) : undefined,
      `${path}/charts/${dep.name}`,
      out,
    );
    values[dep.name] = out.get(`${path}/charts/${dep.name}`);
  }
  out.set(path, values);
}

function collect(
  chart: Chart,
  path: string,
  out: { templates: Record<string, string>; owner: Map<string, { chart: Chart; path: string }> },
) {
  for (const [name, text] of Object.entries(chart.templates)) {
    const full = `${path}/${name}`;
    out.templates[full] = text;
    out.owner.set(full, { chart, path });
  }
  for (const dep of chart.dependencies ?? []) collect(dep, `${path}/charts/${dep.name}`, out);
}

const text = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const list = (v: unknown) => (Array.isArray(v) ? v : null);

/** `.Chart`: Chart.yaml as Helm's chart.Metadata struct shows it, zero values for what is not written. */
function chartObject(chart: Chart, isRoot: boolean): Record<string, unknown> {
  const m = chart.metadata ?? {};
  return {
    Name: chart.name,
    Home: text(m.home),
    Sources: list(m.sources),
    Version: chart.version ?? text(m.version),
    Description: text(m.description),
    Keywords: list(m.keywords),
    Maintainers:
      list(m.maintainers)?.map((x: Record<string, unknown>) => ({
        Name: text(x?.name),
        Email: text(x?.email),
        URL: text(x?.url),
      })) ?? null,
    Icon: text(m.icon),
    APIVersion: chart.apiVersion ?? "v2",
    Condition: text(m.condition),
    Tags: text(m.tags),
    AppVersion: chart.appVersion ?? "",
    Deprecated: m.deprecated === true,
    Annotations: isMap(m.annotations) ? m.annotations : null,
    KubeVersion: text(m.kubeVersion),
    Dependencies:
      list(m.dependencies)?.map((d: Record<string, unknown>) => ({
        Name: text(d?.name),
        Version: text(d?.version),
        Repository: text(d?.repository),
        Condition: text(d?.condition),
        Tags: list(d?.tags),
        Enabled: d?.enabled === true,
        ImportValues: list(d?.["import-values"]),
        Alias: text(d?.alias),
      })) ?? null,
    Type: chart.type ?? text(m.type),
    IsRoot: isRoot,
  };
}

/**
 * `engine.Render`: every template of the chart and its subcharts, keyed by its full path, each executed
 * with its own chart's .Values, .Chart, .Files, .Subcharts, .Template, and the shared .Release and
 * .Capabilities. Subcharts are first resolved from Chart.yaml's dependencies (conditions, tags, aliases,
 * import-values).
 */
export function renderChart(
  given: Chart,
  values: Values,
  options: EngineOptions & { release?: Record<string, unknown>; capabilities?: unknown } = {},
): Record<string, string> {
  const chart = resolveDependencies(given, values);
  const tree = new Map<string, Values>();
  valuesTree(chart, values, undefined, chart.name, tree);
  const violations = schemaViolations(chart, tree.get(chart.name) ?? {}, (path) => tree.get(path) ?? {});
  if (violations)
    throw new Error(
      `values don't meet the specifications of the schema(s) in the following chart(s):\n${violations}`,
    );
  const all = {
    templates: {} as Record<string, string>,
    owner: new Map<string, { chart: Chart; path: string }>(),
  };
  collect(chart, chart.name, all);
  const common = {
    Release: options.release ?? null,
    Capabilities: options.capabilities ?? new Capabilities(),
  };
  const dots = new Map<string, Record<string, unknown>>();
  const dotOf = (c: Chart, path: string): Record<string, unknown> => {
    const found = dots.get(path);
    if (found) return found;
    const dot = {
      Values: tree.get(path) ?? {},
      ...common,
      Chart: chartObject(c, c === chart),
      Files: new Files(c.files ?? {}),
      Subcharts: Object.fromEntries(
        (c.dependencies ?? []).map((d) => [d.name, dotOf(d, `${path}/charts/${d.name}`)]),
      ),
    };
    dots.set(path, dot);
    return dot;
  };
  return renderTemplates(all.templates, undefined, {
    ...options,
    definesOnly: (name) => all.owner.get(name)?.chart.type === "library",
    dotFor: (name) => {
      const owner = all.owner.get(name) ?? { chart, path: chart.name };
      return {
        ...dotOf(owner.chart, owner.path),
        Template: { Name: name, BasePath: `${owner.path}/templates` },
      };
    },
  });
}
