import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface CollectorConfig {
  receivers: Record<string, unknown>;
  processors: Record<string, unknown>;
  exporters: Record<string, unknown>;
  extensions: Record<string, unknown>;
  service: {
    extensions: string[];
    pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
  };
}

const config = parse(readFileSync(new URL("collector.yaml", import.meta.url), "utf8")) as CollectorConfig;

describe("the OpenTelemetry Collector configuration", () => {
  it("carries the three signals the platform emits", () => {
    expect(Object.keys(config.service.pipelines).sort()).toEqual(["logs", "metrics", "traces"]);
  });

  it("names only components it defines", () => {
    for (const pipeline of Object.values(config.service.pipelines)) {
      for (const r of pipeline.receivers) expect(config.receivers).toHaveProperty([r]);
      for (const p of pipeline.processors) expect(config.processors).toHaveProperty([p]);
      for (const e of pipeline.exporters) expect(config.exporters).toHaveProperty([e]);
      // the memory limiter goes first and the batch last, as the collector's documentation asks
      expect(pipeline.processors[0]).toBe("memory_limiter");
      expect(pipeline.processors.at(-1)).toBe("batch");
    }
    for (const x of config.service.extensions) expect(config.extensions).toHaveProperty([x]);
  });

  it("receives OTLP over HTTP on 4318, where the platform's exporters send", () => {
    expect(config.receivers).toMatchObject({ otlp: { protocols: { http: { endpoint: "0.0.0.0:4318" } } } });
  });
});
