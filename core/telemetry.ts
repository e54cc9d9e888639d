import { type Attributes, context, propagation, SpanStatusCode, trace } from "@opentelemetry/api";
import { logs, SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BatchLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { NodeSDK } from "@opentelemetry/sdk-node";

export const tracer = trace.getTracer("timonier");

/**
 * Starts the OpenTelemetry SDK exporting traces, metrics and logs over OTLP/HTTP when an endpoint is set
 * (the exporters read the standard OTEL_* variables); silent otherwise. Returns the shutdown hook.
 */
export function startTelemetry(serviceName: string, endpoint: string | undefined): () => Promise<void> {
  if (!endpoint) return async () => {};
  const sdk = new NodeSDK({
    serviceName,
    traceExporter: new OTLPTraceExporter(),
    metricReaders: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: Number(process.env.OTEL_METRIC_EXPORT_INTERVAL ?? 10_000),
      }),
    ],
    logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })],
  });
  sdk.start();
  return () => sdk.shutdown();
}

/** Runs `fn` in a span that records exceptions and error status. */
export async function withSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The current trace context as a carrier that travels inside a queue job. */
export function traceCarrier(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Runs `fn` as a continuation of the trace a job carried. */
export function withTraceCarrier<T>(carrier: Record<string, string> | undefined, fn: () => T): T {
  return context.with(propagation.extract(context.active(), carrier ?? {}), fn);
}

type Level = "debug" | "info" | "warn" | "error";
const SEVERITY: Record<Level, SeverityNumber> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

export interface Logger {
  debug(message: string, attributes?: Attributes): void;
  info(message: string, attributes?: Attributes): void;
  warn(message: string, attributes?: Attributes): void;
  error(message: string, attributes?: Attributes): void;
}

/**
 * Structured logs, one JSON line each, to stderr and to OTLP: info for routine events, warn for something to
 * look at, error for failures; stderr shows info and above (TIMONIER_LOG=debug adds debug, =warn only warn
 * and error). Each line carries the active trace id, so a log view leads to its trace.
 */
export function createLogger(component: string): Logger {
  const otel = logs.getLogger("timonier");
  const verbose = { debug: 0, info: 1, warn: 2, error: 2 }[process.env.TIMONIER_LOG ?? "info"] ?? 1;
  const emit =
    (level: Level) =>
    (message: string, attributes: Attributes = {}) => {
      otel.emit({
        severityNumber: SEVERITY[level],
        severityText: level,
        body: message,
        attributes: { component, ...attributes },
      });
      const rank = { debug: 0, info: 1, warn: 2, error: 2 }[level];
      if (rank >= verbose) {
        const traceId = trace.getActiveSpan()?.spanContext().traceId;
        process.stderr.write(
          `${JSON.stringify({ time: new Date().toISOString(), level, component, message, ...(traceId ? { traceId } : {}), ...attributes })}\n`,
        );
      }
    };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}
