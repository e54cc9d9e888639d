import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { METRIC_ATTRIBUTES } from "../../core/metrics";

interface Query {
  aggregateAttribute: { key: string; type: string };
  groupBy: { key: string }[];
  filters: { items: { key: { key: string } }[] };
}
interface Dashboard {
  layout: { i: string }[];
  widgets: { id: string; query: { builder: { queryData: Query[] } } }[];
}

const dashboard = JSON.parse(
  readFileSync(new URL("timonier-dashboard.json", import.meta.url), "utf8"),
) as Dashboard;

describe("the SigNoz dashboard", () => {
  it("places every widget once", () => {
    expect(dashboard.layout.map((l) => l.i).sort()).toEqual(dashboard.widgets.map((w) => w.id).sort());
  });

  it.each(dashboard.widgets.map((w) => [w.id, w] as const))(
    "%s reads metrics and attributes the platform emits",
    (_id, widget) => {
      for (const q of widget.query.builder.queryData) {
        const attributes = METRIC_ATTRIBUTES[q.aggregateAttribute.key];
        expect(attributes, q.aggregateAttribute.key).toBeDefined();
        const used = [...q.groupBy.map((g) => g.key), ...q.filters.items.map((f) => f.key.key)];
        for (const key of used) expect(attributes).toContain(key);
      }
    },
  );
});
