import type { TenantChart } from "../../core/tenants";

/** A class chart to install, with its chart's files. */
export interface ChartInstall {
  chart: TenantChart;
  files: Record<string, string>;
}

/** What a cluster's class charts still need. */
export interface ClassChartsPlan {
  /** Charts with no release of their name in their namespace yet, in the class's order. */
  install: ChartInstall[];
  /** Catalog charts the catalog no longer has: each becomes a failed release saying so. */
  missing: TenantChart[];
}

/**
 * Which of a class's charts a cluster still needs: every one whose release (same name, same namespace)
 * has no revision yet, whatever the status of one that has (installed, failed, pending, or upgraded since
 * by the teacher): a release already there is the teacher's or the student's to change, never re-installed.
 * `catalog` gives a catalog chart's files. Pure.
 */
export function planClassCharts(
  charts: readonly TenantChart[],
  present: readonly { name: string; namespace: string }[],
  catalog: (name: string) => Record<string, string> | undefined,
): ClassChartsPlan {
  const there = new Set(present.map((r) => `${r.namespace}/${r.name}`));
  const plan: ClassChartsPlan = { install: [], missing: [] };
  for (const chart of charts) {
    if (there.has(`${chart.namespace}/${chart.name}`)) continue;
    const files = chart.catalog !== undefined ? catalog(chart.catalog) : chart.files;
    if (files) plan.install.push({ chart, files });
    else plan.missing.push(chart);
  }
  return plan;
}
