import { describe, expect, it } from "vitest";
import type { TenantChart } from "../../core/tenants";
import { planClassCharts } from "./class-charts-plan";

const WEB = { "Chart.yaml": "name: web\nversion: 0.1.0\n" };
const catalog = (name: string) => (name === "web" ? WEB : undefined);
const uploaded = { "Chart.yaml": "name: mine\nversion: 1.0.0\n", "templates/cm.yaml": "kind: ConfigMap\n" };

const charts: TenantChart[] = [
  { name: "web", namespace: "default", catalog: "web", values: { replicaCount: 1 } },
  { name: "mine", namespace: "lab", files: uploaded },
];

describe("planClassCharts", () => {
  it("installs every chart of a new cluster, catalog charts with the catalog's files, in the class's order", () => {
    const plan = planClassCharts(charts, [], catalog);
    expect(plan.install).toEqual([
      { chart: charts[0], files: WEB },
      { chart: charts[1], files: uploaded },
    ]);
    expect(plan.missing).toEqual([]);
  });

  it("leaves a release that is there alone, whatever its revision or status", () => {
    const plan = planClassCharts(charts, [{ name: "web", namespace: "default" }], catalog);
    expect(plan.install.map((i) => i.chart.name)).toEqual(["mine"]);
    expect(
      planClassCharts(
        charts,
        [
          { name: "web", namespace: "default" },
          { name: "mine", namespace: "lab" },
        ],
        catalog,
      ),
    ).toEqual({ install: [], missing: [] });
  });

  it("tells a release of the same name in another namespace apart", () => {
    const plan = planClassCharts(charts, [{ name: "web", namespace: "lab" }], catalog);
    expect(plan.install.map((i) => i.chart.name)).toEqual(["web", "mine"]);
  });

  it("reports a catalog chart the catalog no longer has instead of installing it", () => {
    const gone: TenantChart = { name: "old", namespace: "default", catalog: "retired" };
    const plan = planClassCharts([gone, ...charts], [], catalog);
    expect(plan.missing).toEqual([gone]);
    expect(plan.install).toHaveLength(2);
  });

  it("has nothing to do for a class without charts", () => {
    expect(planClassCharts([], [{ name: "x", namespace: "default" }], catalog)).toEqual({
      install: [],
      missing: [],
    });
  });
});
