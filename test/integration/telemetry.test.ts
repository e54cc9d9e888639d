import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTelemetry } from "../../core/telemetry";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

interface OtlpMetric {
  name: string;
  histogram?: {
    dataPoints: { attributes: { key: string; value: { stringValue?: string } }[]; count: string }[];
  };
}

/** A stand-in OTLP/HTTP collector on loopback that keeps every span and metric it receives. */
function startCollector(): Promise<{
  server: Server;
  url: string;
  spans: OtlpSpan[];
  metrics: OtlpMetric[];
}> {
  const spans: OtlpSpan[] = [];
  const metrics: OtlpMetric[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.url === "/v1/traces") {
        const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      if (req.url === "/v1/metrics") {
        const doc = JSON.parse(body) as { resourceMetrics: { scopeMetrics: { metrics: OtlpMetric[] }[] }[] };
        for (const rm of doc.resourceMetrics) for (const sm of rm.scopeMetrics) metrics.push(...sm.metrics);
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, metrics }),
    ),
  );
}

describe("telemetry", () => {
  let platform: TestPlatform;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let stopTelemetry: () => Promise<void>;

  beforeAll(async () => {
    collector = await startCollector();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = "http/json";
    process.env.OTEL_BSP_SCHEDULE_DELAY = "100";
    process.env.OTEL_METRIC_EXPORT_INTERVAL = "500";
    stopTelemetry = startTelemetry("timonier-test", collector.url);
    platform = await startTestPlatform({ resyncSeconds: 300 });
  });
  afterAll(async () => {
    await platform?.close();
    collector?.server.close();
  });

  it("follows one pod creation from the API through the queues to Docker in one trace", async () => {
    const cluster = await platform.createCluster("traced");
    await kubectl(cluster.kubeconfig, ["run", "traced", "--image=busybox", "--", "sleep", "300"]);
    await eventually(async () => {
      const phase = await kubectl(cluster.kubeconfig, [
        "get",
        "pod",
        "traced",
        "-o",
        "jsonpath={.status.phase}",
      ]);
      return phase.stdout === "Running" ? true : undefined;
    }, 60_000);
    await stopTelemetry();

    const create = collector.spans.find((s) => s.name === "POST /clusters/:cluster/api/v1/*");
    expect(create).toBeDefined();
    const trace = collector.spans.filter((s) => s.traceId === create?.traceId).map((s) => s.name);
    expect(trace).toEqual(
      expect.arrayContaining([
        "reconcile scheduler",
        "reconcile node",
        "docker.sandbox.create",
        "docker.container.start",
      ]),
    );

    // the same path in metrics: the pod's start-up, the reconciles and the Docker calls it took
    const points = (name: string, key: string) =>
      collector.metrics
        .filter((m) => m.name === name)
        .flatMap((m) => m.histogram?.dataPoints ?? [])
        .map((p) => p.attributes.find((a) => a.key === key)?.value.stringValue);
    expect(points("timonier.pod.startup.duration", "k8s.node.name")).toContain(platform.nodeName);
    expect(points("timonier.reconcile.duration", "timonier.controller")).toEqual(
      expect.arrayContaining(["scheduler", "node"]),
    );
    expect(points("timonier.queue.latency", "timonier.controller")).toContain("scheduler");
    expect(points("timonier.docker.operation.duration", "docker.operation")).toEqual(
      expect.arrayContaining(["sandbox.create", "container.start"]),
    );
    expect(points("http.server.request.duration", "http.route")).toContain("/clusters/:cluster/api/v1/*");
  });
});
