import type { BenchCluster } from "./platform";

/** A Kubernetes API call of one cluster: its path under `/api/v1/namespaces/default/`. */
export function kube(url: string, cluster: BenchCluster) {
  const base = `${url}/clusters/${cluster.id}/api/v1/namespaces/default`;
  return (method: string, path: string, body?: unknown) =>
    fetch(`${base}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${cluster.token}`,
        "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json",
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}

/** Runs `task(i)` for i in [0, count), `concurrency` at a time. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) await task(i);
    }),
  );
}

/**
 * A watch's events as they arrive, each handed to `onEvent` with its arrival time; `close()` ends it.
 * Resolves once the response headers came (the watch is open).
 */
export async function watch(
  url: string,
  cluster: BenchCluster,
  resource: string,
  resourceVersion: string,
  onEvent: (
    event: { type: string; object: { metadata: { name: string }; status?: { phase?: string } } },
    at: number,
  ) => void,
): Promise<{ close(): void }> {
  const controller = new AbortController();
  const res = await fetch(
    `${url}/clusters/${cluster.id}/api/v1/namespaces/default/${resource}?watch=1&resourceVersion=${resourceVersion}`,
    { headers: { authorization: `Bearer ${cluster.token}` }, signal: controller.signal },
  );
  if (!res.ok || !res.body) throw new Error(`watch ${resource}: ${res.status} ${await res.text()}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buffered = "";
    for (;;) {
      const chunk = await reader.read().catch(() => undefined);
      if (!chunk || chunk.done) return;
      const at = performance.now();
      buffered += decoder.decode(chunk.value, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line) onEvent(JSON.parse(line), at);
    }
  })();
  return { close: () => controller.abort() };
}

/** The resourceVersion of a list of the cluster's `resource`: where a watch starts. */
export async function listVersion(url: string, cluster: BenchCluster, resource: string): Promise<string> {
  const res = await kube(url, cluster)("GET", resource);
  return ((await res.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

/** Samples `probe` every `ms` until `stop()`, which returns the samples. */
export function sampler<T>(ms: number, probe: () => Promise<T>): { stop(): Promise<T[]> } {
  const samples: T[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      samples.push(await probe());
      await new Promise((r) => setTimeout(r, ms));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** The largest value each key took over the samples. */
export function peaks(samples: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) for (const [k, v] of Object.entries(s)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/** `a=1, b=2`, largest first, the top `n`. */
export function top(counts: Record<string, number>, n = 6): string {
  return (
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .slice(0, n)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ") || "none"
  );
}
