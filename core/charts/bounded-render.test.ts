import { describe, expect, it } from "vitest";
import { type RenderJob, RenderLimitExceeded, renderBounded } from "./bounded-render";

const chart = (template: string): RenderJob => ({
  files: {
    "Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    "values.yaml": "greeting: hello\n",
    "templates/cm.yaml": template,
  },
  options: { releaseName: "r", namespace: "default" },
});
const limits = { timeoutMs: 2000, memoryMb: 64 };

describe("chart rendering in a bounded worker", () => {
  it("renders a chart as the engine does, lookup included", async () => {
    const job = chart(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  g: {{ .Values.greeting }}\n  seen: {{ (lookup "v1" "ConfigMap" "default" "old").metadata.name | quote }}\n',
    );
    job.options.objects = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "old", namespace: "default" } },
    ];
    const outcome = await renderBounded(job, limits);
    expect("rendered" in outcome && outcome.rendered.manifests[0]?.text).toContain('g: hello\n  seen: "old"');
  });

  it("reports a template error as the engine words it", async () => {
    const outcome = await renderBounded(chart('{{ fail "no" }}'), limits);
    expect(outcome).toMatchObject({ error: expect.stringContaining("no"), setSyntax: false });
  });

  it("stops a chart that loops past the deadline, and one that grows past the memory ceiling", async () => {
    const started = Date.now();
    const loop = renderBounded(
      chart("{{ range $i := until 100000 }}{{ range $j := until 100000 }}x{{ end }}{{ end }}"),
      { timeoutMs: 1000, memoryMb: 256 },
    );
    await expect(loop).rejects.toThrow(RenderLimitExceeded);
    await expect(loop).rejects.toThrow("rendering took longer than the limit of 1s");
    expect(Date.now() - started).toBeLessThan(5000);
    const grow = renderBounded(
      chart("{{ $d := dict }}{{ range $i := until 5000000 }}{{ $_ := set $d (toString $i) $i }}{{ end }}"),
      { timeoutMs: 20_000, memoryMb: 64 },
    );
    await expect(grow).rejects.toThrow("rendering used more than the limit of 64 MiB of memory");
  });
});
