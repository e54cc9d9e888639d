import { type Meter, type MeterProvider, metrics } from "@opentelemetry/api";

/** Buckets in seconds, from a fast query to a slow image start. */
const SECONDS = { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] };

const NAMES = {
  httpDuration: "http.server.request.duration",
  watches: "timonier.watch.active",
  reconcileDuration: "timonier.reconcile.duration",
  queueLatency: "timonier.queue.latency",
  dockerDuration: "timonier.docker.operation.duration",
  podStartup: "timonier.pod.startup.duration",
} as const;

/** Every metric the platform emits, with the attributes its points carry (what dashboards may group by). */
export const METRIC_ATTRIBUTES: Record<string, readonly string[]> = {
  [NAMES.httpDuration]: ["http.request.method", "http.route", "http.response.status_code"],
  [NAMES.watches]: ["resource"],
  [NAMES.reconcileDuration]: ["timonier.controller", "outcome"],
  [NAMES.queueLatency]: ["timonier.controller"],
  [NAMES.dockerDuration]: ["docker.operation", "outcome"],
  [NAMES.podStartup]: ["k8s.node.name"],
};

/**
 * The platform's instruments. OpenTelemetry's metrics API has no proxy: a meter taken before the SDK
 * starts stays a no-op, so the instruments are made from whichever provider is current when used.
 */
function instruments(meter: Meter) {
  const seconds = (name: string, description: string) =>
    meter.createHistogram(name, { unit: "s", description, advice: SECONDS });
  return {
    httpDuration: seconds(NAMES.httpDuration, "Duration of API requests, by method, route and status"),
    watches: meter.createUpDownCounter(NAMES.watches, {
      description: "Open watches on the clusters' Kubernetes APIs",
    }),
    reconcileDuration: seconds(
      NAMES.reconcileDuration,
      "Duration of one reconcile, by controller and outcome (done, requeued, failed)",
    ),
    queueLatency: seconds(
      NAMES.queueLatency,
      "Time a trigger waited in its queue before a worker took it, by controller",
    ),
    dockerDuration: seconds(
      NAMES.dockerDuration,
      "Duration of Docker Engine API operations, by operation and outcome",
    ),
    podStartup: seconds(
      NAMES.podStartup,
      "From a pod's creation to the node agent seeing it Running, by node",
    ),
  };
}

type Instruments = ReturnType<typeof instruments>;
let current: { provider: MeterProvider; instruments: Instruments } | undefined;

/** The platform's metrics, in one place so that dashboards (infra/signoz) can be checked against them. */
export const METRICS = new Proxy({} as Instruments, {
  get(_target, key: keyof Instruments) {
    const provider = metrics.getMeterProvider();
    if (current?.provider !== provider)
      current = { provider, instruments: instruments(provider.getMeter("timonier")) };
    return current.instruments[key];
  },
});
