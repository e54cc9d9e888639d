import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { METRICS } from "../core/metrics";
import { tracer } from "../core/telemetry";
import type { AppEnv } from "./env";

/** One server span per request (named by method and route, never by raw path) and a duration metric. */
export function requestTelemetry(): MiddlewareHandler<AppEnv> {
  return async function requestTelemetry(c, next) {
    const started = performance.now();
    await tracer.startActiveSpan(`${c.req.method}`, { kind: SpanKind.SERVER }, async (span) => {
      try {
        await next();
      } finally {
        const route = routePath(c);
        const status = c.res.status;
        span.updateName(`${c.req.method} ${route}`);
        span.setAttributes({
          "http.request.method": c.req.method,
          "http.route": route,
          "url.path": c.req.path,
          "http.response.status_code": status,
          ...(c.var.cluster ? { "timonier.cluster.id": c.var.cluster.id } : {}),
        });
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        METRICS.httpDuration.record((performance.now() - started) / 1000, {
          "http.request.method": c.req.method,
          "http.route": route,
          "http.response.status_code": status,
        });
      }
    });
  };
}
