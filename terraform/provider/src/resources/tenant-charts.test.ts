import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ObjectValue, UNKNOWN } from "../values";
import { tenantResource } from "./tenant";
import { chartsBody, chartsState, planCharts, validateCharts } from "./tenant-charts";

describe("a class's charts", () => {
  const dir = mkdtempSync(join(tmpdir(), "class-chart-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: course\nversion: 0.1.0\n");
  const given = [
    { name: "web", namespace: null, chart: "web", values: ["replicaCount: 2"], digest: null },
    { name: "course", namespace: "labs", chart: `${dir}/`, values: null, digest: "d1" },
  ];
  const api = [
    { name: "web", namespace: "default", catalog: "web", chart: "web-0.1.0", values: { replicaCount: 2 } },
    { name: "course", namespace: "labs", chart: "course-0.1.0" },
  ];

  it("sends catalog charts by name, local ones as their files, values merged", () => {
    const { body, digests } = chartsBody(given);
    expect(body[0]).toEqual({
      name: "web",
      namespace: "default",
      chart: { catalog: "web" },
      values: { replicaCount: 2 },
    });
    expect(body[1]).toMatchObject({
      namespace: "labs",
      chart: { files: { "Chart.yaml": expect.any(String) } },
    });
    expect(digests[0]).toBeNull();
    expect(digests[1]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reads the API's charts as the configuration wrote them while they match", () => {
    expect(chartsState(api, given)).toEqual(given);
    expect(chartsState([], null)).toBeNull();
    expect(chartsState([], [])).toEqual([]);
  });

  it("reads charts changed outside Terraform as the API has them", () => {
    const changed = [{ ...api[0], catalog: "redis", values: { replicaCount: 5 } }, api[1]];
    expect(chartsState(changed as typeof api, given)).toEqual([
      { name: "web", namespace: null, chart: "redis", values: ["replicaCount: 5\n"], digest: null },
      given[1],
    ]);
    expect(chartsState(api, null)).toEqual([
      { name: "web", namespace: null, chart: "web", values: ["replicaCount: 2\n"], digest: null },
      { name: "course", namespace: "labs", chart: "course-0.1.0", values: null, digest: null },
    ]);
  });

  it("plans a local chart's digest as its files are now, unknown while the chart is", () => {
    const [web, course] = planCharts(given) as { digest: unknown }[];
    expect(web?.digest).toBeNull();
    expect(course?.digest).toBe(chartsBody(given).digests[1]);
    expect((planCharts([{ ...given[0], chart: UNKNOWN }]) as { digest: unknown }[])[0]?.digest).toBe(UNKNOWN);
  });

  it("updates the class in place when a local chart's files change", () => {
    const prior: ObjectValue = {
      id: "k8s",
      name: "k8s",
      cluster_lifetime: null,
      idle_before_sleep: null,
      budget: null,
      ceiling: null,
      charts: planCharts(given),
      phase: "Active",
      teacher_token: null,
      timeouts: null,
    };
    const unchanged = tenantResource.plan({ prior, proposed: prior, config: { ...prior, charts: given } });
    expect(unchanged.planned).toEqual(prior);
    writeFileSync(join(dir, "values.yaml"), "greeting: hi\n");
    const edited = tenantResource.plan({ prior, proposed: prior, config: { ...prior, charts: given } });
    expect(edited.requiresReplace).toEqual([]);
    expect((edited.planned as { charts: { digest: unknown }[] }).charts[1]?.digest).not.toBe(
      (prior.charts as { digest: unknown }[])[1]?.digest,
    );
  });

  it("points at the charts attribute for a bad name or values", () => {
    expect(validateCharts({ charts: [{ name: "Web_1", chart: "web", values: ["- a"] }] })).toEqual([
      expect.objectContaining({ summary: "Invalid name (charts[0])", attribute: "charts" }),
      expect.objectContaining({ summary: "Invalid values (charts[0])", attribute: "charts" }),
    ]);
  });
});
