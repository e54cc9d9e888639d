import { describe, expect, it } from "vitest";
import { templateCommand } from "./template-command";

const schema = JSON.stringify({
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["image"],
  properties: {
    replicas: { type: "integer", minimum: 1 },
    image: { type: "object", properties: { tag: { type: "string" } } },
  },
});

const chart = {
  "Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
  "values.yaml": "replicas: 1\nimage:\n  tag: latest\n",
  "values.schema.json": schema,
  "templates/cm.yaml":
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  r: {{ .Values.replicas | quote }}\n",
  "charts/db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 1.0.0\n",
  "charts/db/values.yaml": "port: 5432\n",
  "charts/db/values.schema.json": JSON.stringify({
    $schema: "https://json-schema.org/draft/2020-12/schema",
    properties: { port: { type: "integer", maximum: 65535 } },
  }),
};

const render = (set: string[]) => templateCommand(chart, { releaseName: "r", namespace: "default", set });

describe("values.schema.json", () => {
  it("renders values that satisfy the chart's and the subcharts' schemas", () => {
    expect(render(["replicas=3"])).toContain('r: "3"');
  });

  it("refuses values that break them, chart by chart, as Helm words it", () => {
    expect(() => render(["replicas=0", "image.tag=2", "db.port=70000"])).toThrow(
      [
        "values don't meet the specifications of the schema(s) in the following chart(s):",
        "app:",
        "- at '/replicas': must be >= 1",
        "- at '/image/tag': must be string",
        "db:",
        "- at '/port': must be <= 65535",
        "",
      ].join("\n"),
    );
  });

  it("applies a required property after the defaults are in", () => {
    expect(() => render(["image=null"])).toThrow("- at '': must have required property 'image'");
  });
});
