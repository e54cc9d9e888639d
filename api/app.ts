import { trace } from "@opentelemetry/api";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { hiddenError, KubeError, kubeErrors, statusFailure } from "../core/k8s/errors";
import { createLogger } from "../core/telemetry";
import { isDatabaseUnavailable } from "../db/client";
import { isNodeReady } from "../db/nodes";
import { ReleaseError } from "../db/releases/errors";
import type { ApiDeps, AppEnv } from "./env";
import { kubeApp } from "./kube";
import { clusterOfToken } from "./kube/auth";
import { managementApp } from "./management";
import { ApiError, errorBody } from "./management/errors";
import { requestTelemetry } from "./telemetry";

const log = createLogger("api");

/** kube-apiserver's maxRequestBodyBytes: 3 MiB. */
const KUBE_BODY_LIMIT = 3 * 1024 * 1024;
const MANAGEMENT_BODY_LIMIT = 16 * 1024 * 1024;

/** How long each dependency may take to answer a readiness check before it counts as missing. */
const READINESS_TIMEOUT_MS = 800;

function answers<T>(check: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no answer")), READINESS_TIMEOUT_MS);
    check.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/**
 * Ready when Postgres and Redis answer and at least one node agent is heartbeating (its Docker engine
 * answering it); each asked at once and for under a second, so /healthz itself always answers.
 */
async function readiness(deps: ApiDeps): Promise<string[]> {
  const [nodes, redis] = await Promise.allSettled([answers(deps.nodes.list()), answers(deps.redis.ping())]);
  const problems: string[] = [];
  if (nodes.status === "rejected") problems.push(`postgres: ${(nodes.reason as Error).message}`);
  if (redis.status === "rejected") problems.push(`redis: ${(redis.reason as Error).message}`);
  const now = deps.now();
  if (nodes.status === "fulfilled" && !nodes.value.some((n) => isNodeReady(n, now)))
    problems.push("docker: no node is Ready");
  return problems;
}

export function createApp(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  app.use("*", async function injectDeps(c, next) {
    c.set("deps", deps);
    await next();
  });
  app.use("*", requestTelemetry());
  app.get("/healthz", async (c) => {
    const problems = await readiness(deps);
    return problems.length ? c.text(`not ready: ${problems.join("; ")}\n`, 503) : c.text("ok\n");
  });
  // the process answers: what a supervisor's liveness check asks (readiness is /healthz)
  app.get("/livez", (c) => c.text("ok"));
  // a cluster's API requested without its path prefix (kubectl's --raw does that): the token says which
  app.use("*", async function unprefixedKube(c, next) {
    if (!/^\/(api|apis|version|openapi|readyz|livez)(\/|$)/.test(c.req.path)) return next();
    const clusterId = await clusterOfToken(deps, c.req.header("authorization"));
    if (!clusterId) throw kubeErrors.unauthorized();
    const url = new URL(c.req.url);
    url.pathname = `/clusters/${clusterId}${url.pathname}`;
    return app.fetch(new Request(url, c.req.raw), c.env);
  });
  // kube-apiserver's limit on a request body; charts (files or a .tgz, base64) get more room
  app.use(
    "/clusters/*",
    bodyLimit({
      maxSize: KUBE_BODY_LIMIT,
      onError: () => Promise.reject(kubeErrors.tooLarge(KUBE_BODY_LIMIT)),
    }),
  );
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: MANAGEMENT_BODY_LIMIT,
      onError: () =>
        Promise.reject(
          new ApiError(
            413,
            "payload_too_large",
            `request body over the limit of ${MANAGEMENT_BODY_LIMIT} bytes`,
          ),
        ),
    }),
  );
  app.route("/v1", managementApp());
  app.route("/clusters/:cluster", kubeApp(deps.config.rateLimit));

  app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    const kubePath = c.req.path.startsWith("/clusters/");
    if (err instanceof KubeError) {
      // a cluster that cannot take writes for a moment (being reset): client-go waits and tries again
      const retry = err.status.details?.retryAfterSeconds;
      return c.json(
        err.status,
        err.code as ContentfulStatusCode,
        retry ? { "Retry-After": String(retry) } : {},
      );
    }
    if (err instanceof ApiError) return c.json(errorBody(err.errorCode, err.message), err.status);
    if (err instanceof ReleaseError) return c.json(errorBody(err.code, err.message), err.status);
    if (err instanceof HTTPException && err.status < 500) {
      if (kubePath) return c.json(kubeErrors.badRequest(err.message).status, 400);
      return c.json(errorBody("bad_request", err.message), err.status);
    }
    if (isDatabaseUnavailable(err)) {
      log.error("database unavailable", { path: c.req.path, error: (err as Error).message });
      const status = statusFailure(503, "ServiceUnavailable", "the storage is unavailable; try again later", {
        retryAfterSeconds: 1,
      });
      if (kubePath) return c.json(status, 503, { "Retry-After": "1" });
      return c.json(errorBody("unavailable", "the database is unavailable; try again later"), 503, {
        "Retry-After": "1",
      });
    }
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    // drizzle wraps the driver's error: its cause says what Postgres refused (a deadlock, a constraint)
    const cause = (err as Error).cause;
    log.error("unhandled error", {
      error: (err as Error).stack ?? String(err),
      ...(cause ? { cause: cause instanceof Error ? cause.message : String(cause) } : {}),
      path: c.req.path,
      traceId,
    });
    if (kubePath) return c.json(kubeErrors.internal(hiddenError(traceId)).status, 500);
    return c.json(errorBody("internal", hiddenError(traceId)), 500);
  });
  return app;
}
