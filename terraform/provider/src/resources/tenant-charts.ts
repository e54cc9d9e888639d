import { stringify } from "yaml";
import { type Diagnostic, error } from "../diagnostics";
import { chartBody, chartDigest, isLocal, localChart } from "../local-chart";
import { mergeValues, valuesMatch } from "../release-values";
import type { Attribute } from "../schema";
import { validateLabel } from "../validation";
import { asObject, type ObjectValue, UNKNOWN, type Value } from "../values";

/** A class's chart as the management API shows it: an uploaded one by its name-version only. */
export interface TenantChartView {
  name: string;
  namespace: string;
  catalog?: string;
  chart: string;
  values?: Record<string, unknown>;
}

export const chartsAttribute: Attribute = {
  type: {
    list: {
      name: { type: "string", required: true, description: "The release's name in each cluster." },
      namespace: {
        type: "string",
        optional: true,
        description: "The release's namespace; default when unset.",
      },
      chart: {
        type: "string",
        required: true,
        description:
          "A chart of the catalog by name, or the path of a chart directory or packaged chart (.tgz), uploaded with the class.",
      },
      values: {
        type: ["list", "string"],
        optional: true,
        description: "Values files' contents (YAML or JSON), merged in order as helm -f merges them.",
      },
      digest: {
        type: "string",
        computed: true,
        description:
          "The SHA-256 of a local chart's files as last uploaded: a change of its contents uploads it again.",
      },
    },
  },
  optional: true,
  description:
    "The charts installed as Helm releases into each new cluster of the class (and a reset one); a change applies to clusters made afterwards.",
};

const elements = (charts: Value | undefined): ObjectValue[] =>
  Array.isArray(charts) ? charts.map(asObject).filter((c): c is ObjectValue => c !== null) : [];

/** The charts with each local chart's digest as its files are now: a new one uploads the chart again. */
export function planCharts(charts: Value | undefined): Value {
  if (!Array.isArray(charts)) return charts ?? null;
  return elements(charts).map((c) => ({
    ...c,
    digest: c.chart === UNKNOWN ? UNKNOWN : (localChart(c.chart)?.digest ?? null),
  }));
}

/** The charts as the management API takes them, and the digest of each one uploaded. */
export function chartsBody(charts: Value | undefined) {
  const body = elements(charts).map((c) => ({
    name: String(c.name),
    namespace: typeof c.namespace === "string" ? c.namespace : "default",
    chart: chartBody(String(c.chart)),
    ...(Array.isArray(c.values) ? { values: mergeValues(c.values as string[]) } : {}),
  }));
  return { body, digests: body.map((c) => chartDigest(c.chart)) };
}

/**
 * The class's charts as a state, written as `given` wrote them while they are still what it made: a catalog
 * chart by name, an uploaded one by `given`'s path (its contents known by the digest of the last upload),
 * values the configuration's while the API's match them. A chart the API has and `given` has not is shown
 * as the API shows it, so the plan puts the configuration's back. `digests`: those of an upload just made.
 */
export function chartsState(
  current: TenantChartView[],
  given: Value | undefined,
  digests?: (string | null)[],
): Value {
  const prior = elements(given);
  if (current.length === 0 && !Array.isArray(given)) return null;
  return current.map((c, i) => {
    const p = prior[i] ?? {};
    const uploadedByPath = !c.catalog && typeof p.chart === "string" && isLocal(p.chart);
    const values = c.values ?? {};
    return {
      name: c.name,
      namespace: (p.namespace ?? null) === null && c.namespace === "default" ? null : c.namespace,
      chart: c.catalog ?? (uploadedByPath ? p.chart : c.chart),
      values: valuesMatch(p.values, null, values)
        ? (p.values ?? null)
        : Object.keys(values).length
          ? [stringify(values)]
          : null,
      digest: uploadedByPath ? (digests?.[i] ?? p.digest ?? null) : null,
    } as ObjectValue;
  });
}

/** Errors on the charts' names, namespaces and values, at the charts attribute. */
export function validateCharts(config: ObjectValue): Diagnostic[] {
  return elements(config.charts).flatMap((c, i) => {
    const at = (diagnostics: Diagnostic[]) =>
      diagnostics.map((d) => ({ ...d, attribute: "charts", summary: `${d.summary} (charts[${i}])` }));
    const out: Diagnostic[] = [...at(validateLabel(c, "name")), ...at(validateLabel(c, "namespace"))];
    if (c.chart === "")
      out.push(error(`Invalid chart (charts[${i}])`, "the chart must not be empty", "charts"));
    if (Array.isArray(c.values) && c.values.every((v) => typeof v === "string")) {
      try {
        mergeValues(c.values as string[]);
      } catch (failure) {
        out.push(error(`Invalid values (charts[${i}])`, (failure as Error).message, "charts"));
      }
    }
    return out;
  });
}
