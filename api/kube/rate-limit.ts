import type { Context, MiddlewareHandler } from "hono";
import { statusFailure } from "../../core/k8s/errors";
import type { AppEnv } from "../env";

/**
 * Requests per second a cluster may sustain, the burst it may spend at once, and how many of its requests
 * may be in progress at a time (watches and followed logs aside: they are long-running, and capped apart).
 */
export interface RateLimit {
  qps: number;
  burst: number;
  inflight: number;
  /** Open watches per cluster on one API process. */
  watches: number;
}

/**
 * Token buckets by key: each holds up to `burst` tokens and refills at `qps` per second. Pure over the
 * clock it is given; buckets that have refilled completely are forgotten.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly limit: RateLimit) {}

  /** Takes a token for `key` at `now` (ms): 0 when granted, else the seconds until one is there. */
  take(key: string, now: number): number {
    const { qps, burst } = this.limit;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * qps);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      this.forgetFull(now);
      return 0;
    }
    this.buckets.set(key, bucket);
    return Math.max(1, Math.ceil((1 - bucket.tokens) / qps));
  }

  private forgetFull(now: number): void {
    if (this.buckets.size < 1024) return;
    for (const [key, b] of this.buckets)
      if (b.tokens + ((now - b.at) / 1000) * this.limit.qps >= this.limit.burst) this.buckets.delete(key);
  }
}

/** kube-apiserver's 429: kubectl and client-go wait `Retry-After` seconds and try again. */
export function tooManyRequests(c: Context, wait: number): Response {
  const status = statusFailure(429, "TooManyRequests", "Too many requests, please try again later.", {
    retryAfterSeconds: wait,
  });
  return c.json(status, 429, { "Retry-After": String(wait) });
}

/**
 * Every cluster gets its own share of this API process, whatever tokens it uses (its own, its
 * ServiceAccounts', impersonation): a rate and a number of requests in progress, so that one cluster's
 * flood never queues another's requests behind it. Past them, kube-apiserver's 429 with Retry-After,
 * which kubectl and client-go wait out and retry. The platform's admin is not limited.
 */
export function clusterRateLimit(limit: RateLimit, now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  const buckets = new TokenBuckets(limit);
  const inflight = new Map<string, number>();
  return async function rateLimit(c, next) {
    if (c.var.principal?.kind === "admin") return next();
    const cluster = c.var.cluster.id;
    const longRunning =
      c.req.query("watch") === "true" || c.req.query("watch") === "1" || c.req.query("follow") === "true";
    const busy = !longRunning && (inflight.get(cluster) ?? 0) >= limit.inflight;
    const wait = busy ? 1 : buckets.take(cluster, now());
    if (wait > 0) return tooManyRequests(c, wait);
    if (longRunning) return next();
    inflight.set(cluster, (inflight.get(cluster) ?? 0) + 1);
    try {
      await next();
    } finally {
      const left = (inflight.get(cluster) ?? 1) - 1;
      if (left > 0) inflight.set(cluster, left);
      else inflight.delete(cluster);
    }
  };
}
