import { parse as parseYaml } from "yaml";
import { catalogChart, catalogNames } from "../../../core/charts/catalog";
import type { TenantChart } from "../../../core/tenants";
import { loadChart } from "../../../helm/template-command";
import { ApiError } from "../errors";
import { chartFiles } from "../releases";

/** What a class's charts may take in its row, uploaded files included. */
const MAX_CHARTS_BYTES = 4 * 1024 * 1024;

interface ChartInput {
  name: string;
  namespace: string;
  chart: {
    catalog?: string | undefined;
    files?: Record<string, string> | undefined;
    archive?: string | undefined;
  };
  values?: Record<string, unknown> | undefined;
}

/**
 * A class's charts as they are kept: catalog charts by name, uploaded ones as their files. Refused, before
 * anything is written: a release name given twice (400), an unknown catalog chart or an upload without a
 * readable Chart.yaml naming the chart and its version (422), an archive that does not unpack (400).
 */
export async function tenantCharts(input: ChartInput[]): Promise<TenantChart[]> {
  const seen = new Set<string>();
  const out: TenantChart[] = [];
  for (const [i, c] of input.entries()) {
    const key = `${c.namespace}/${c.name}`;
    if (seen.has(key)) throw new ApiError(400, "invalid", `charts.${i}.name: release ${key} is given twice`);
    seen.add(key);
    const base = { name: c.name, namespace: c.namespace, ...(c.values ? { values: c.values } : {}) };
    if (c.chart.catalog !== undefined) {
      if (!catalogChart(c.chart.catalog))
        throw new ApiError(
          422,
          "unknown_chart",
          `charts.${i}.chart.catalog: no chart ${JSON.stringify(c.chart.catalog)} in the catalog (${catalogNames().join(", ")})`,
        );
      out.push({ ...base, catalog: c.chart.catalog });
      continue;
    }
    const files = await chartFiles(c.chart);
    let meta: { name: string; version?: string | undefined };
    try {
      meta = loadChart(files);
    } catch (err) {
      throw new ApiError(422, "invalid_chart", `charts.${i}.chart: ${(err as Error).message}`);
    }
    if (!meta.name || !meta.version)
      throw new ApiError(
        422,
        "invalid_chart",
        `charts.${i}.chart: Chart.yaml must name the chart and its version`,
      );
    out.push({ ...base, files });
  }
  if (Buffer.byteLength(JSON.stringify(out)) > MAX_CHARTS_BYTES)
    throw new ApiError(
      413,
      "payload_too_large",
      `a class's charts may take at most ${MAX_CHARTS_BYTES} bytes`,
    );
  return out;
}

/** A kept chart as the API shows it: no files, its name-version instead. */
export function chartView(c: TenantChart) {
  const files = c.catalog ? catalogChart(c.catalog) : c.files;
  let chart = c.catalog ?? "uploaded";
  try {
    const meta = (parseYaml(files?.["Chart.yaml"] ?? "") ?? {}) as { name?: unknown; version?: unknown };
    if (meta.name) chart = `${String(meta.name)}-${String(meta.version ?? "")}`;
  } catch {
    // shown as it was named
  }
  return {
    name: c.name,
    namespace: c.namespace,
    ...(c.catalog ? { catalog: c.catalog } : {}),
    chart,
    ...(c.values ? { values: c.values } : {}),
  };
}
