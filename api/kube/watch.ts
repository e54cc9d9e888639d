import type { Context } from "hono";
import { kubeErrors, statusFailure } from "../../core/k8s/errors";
import type { KubeObject } from "../../core/k8s/types";
import { storageOf } from "../../core/k8s/views";
import { METRICS } from "../../core/metrics";
import type { Change } from "../../db/store";
import type { AppEnv } from "../env";
import { nodeObjects } from "./nodes";
import { tooManyRequests } from "./rate-limit";
import type { RequestInfo } from "./request-info";
import { matches, type Selection } from "./selection";
import { served } from "./served";
import { tableFor, wantsTable } from "./table-negotiation";
import { eventFor } from "./watch-filter";

const DEFAULT_TIMEOUT_SECONDS = 1800;
const BOOKMARK_INTERVAL_MS = 60_000;

type WatchEvent = { type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR"; object: unknown };

function relevant(info: RequestInfo, change: Change): boolean {
  return (
    change.group === storageOf(info.type).group &&
    change.resource === storageOf(info.type).resource &&
    (!info.namespace || change.namespace === info.namespace) &&
    (!info.name || change.name === info.name)
  );
}

/**
 * Encodes watch events as JSON lines; objects become one-row Tables when kubectl asked for them, the
 * column definitions sent with the first row only, as kube-apiserver does.
 */
function watchEncoder(c: Context<AppEnv>, info: RequestInfo) {
  const encoder = new TextEncoder();
  const asTable = wantsTable(c);
  let columnsSent = false;
  return (type: string, obj: unknown): Uint8Array => {
    let object = obj;
    if (asTable && type !== "BOOKMARK" && type !== "ERROR") {
      const row = obj as KubeObject;
      const table = tableFor(c, info.type, [row], { resourceVersion: row.metadata.resourceVersion });
      if (columnsSent) table.columnDefinitions = [];
      columnsSent = true;
      object = table;
    }
    return encoder.encode(`${JSON.stringify({ type, object })}\n`);
  };
}

/**
 * Streams kube-apiserver's watch format (one JSON event per line). Without a resourceVersion it starts
 * with the current objects as ADDED; from a compacted resourceVersion it answers an ERROR event with 410.
 */
export async function serveWatch(c: Context<AppEnv>, info: RequestInfo, sel: Selection) {
  const { deps, cluster } = c.var;
  if (info.type.virtual) {
    if (info.type.resource !== "nodes" || info.type.group !== "") throw kubeErrors.methodNotAllowed();
    return serveNodeWatch(c, info, sel);
  }
  const admin = c.var.principal?.kind === "admin";
  if (!admin && deps.watchHub.watchers(cluster.id) >= deps.config.rateLimit.watches)
    return tooManyRequests(c, 1);
  const requested = c.req.query("resourceVersion");
  const timeoutSeconds = Number(c.req.query("timeoutSeconds") ?? DEFAULT_TIMEOUT_SECONDS);
  const bookmarks = c.req.query("allowWatchBookmarks") === "true";

  let initial: KubeObject[] = [];
  let from: number;
  let gone: string | undefined;
  if (!requested || requested === "0") {
    const list = await deps.store.list({
      clusterId: cluster.id,
      ...storageOf(info.type),
      ...(info.namespace ? { namespace: info.namespace } : {}),
    });
    initial = list.items.filter(
      (o) => (!info.name || o.metadata.name === info.name) && matches(info.type, sel, o),
    );
    from = Number(list.resourceVersion);
  } else {
    from = Number(requested);
    if (!Number.isInteger(from)) throw kubeErrors.badRequest(`invalid resource version: ${requested}`);
    const compacted = await deps.store.compactedResourceVersion();
    if (from < compacted) gone = `too old resource version: ${from} (${compacted})`;
  }

  const encode = watchEncoder(c, info);
  const render = (event: WatchEvent): Uint8Array => encode(event.type, event.object);

  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        try {
          controller.close();
        } catch {
          // the client went away first
        }
      };
      const send = (event: WatchEvent) => {
        if (!closed) controller.enqueue(render(event));
      };
      if (gone) {
        send({ type: "ERROR", object: statusFailure(410, "Expired", gone) });
        close();
        return;
      }
      for (const obj of initial) send({ type: "ADDED", object: served(info.type, obj) });
      let last = from;
      const watching = { resource: info.type.resource };
      METRICS.watches.add(1, watching);
      const unsubscribe = deps.watchHub.subscribe(cluster.id, from, (changes) => {
        for (const change of changes) {
          last = change.resourceVersion;
          if (!relevant(info, change)) continue;
          const type = eventFor(change.type, change.object, change.previous, (o) =>
            matches(info.type, sel, o),
          );
          if (type) send({ type, object: served(info.type, change.object) });
        }
      });
      const timeout = setTimeout(close, timeoutSeconds * 1000);
      const bookmark = bookmarks
        ? setInterval(() => {
            send({
              type: "BOOKMARK",
              object: {
                kind: info.type.kind,
                apiVersion: info.type.group ? `${info.type.group}/${info.type.version}` : info.type.version,
                metadata: { resourceVersion: String(last) },
              },
            });
          }, BOOKMARK_INTERVAL_MS)
        : undefined;
      cleanup = () => {
        unsubscribe();
        clearTimeout(timeout);
        clearInterval(bookmark);
        METRICS.watches.add(-1, watching);
      };
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    status: 200,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-cache, private",
      "transfer-encoding": "chunked",
    },
  });
}

const NODE_POLL_MS = 5000;

/**
 * Nodes are the platform's Docker hosts, not rows of the cluster: their watch lists them, then reports a
 * node as MODIFIED when its readiness or the cluster's view of it changes, ADDED or DELETED as hosts come
 * and go.
 */
function serveNodeWatch(c: Context<AppEnv>, info: RequestInfo, sel: Selection) {
  const { deps, cluster } = c.var;
  const timeoutSeconds = Number(c.req.query("timeoutSeconds") ?? DEFAULT_TIMEOUT_SECONDS);
  const render = watchEncoder(c, info);
  let timer: NodeJS.Timeout | undefined;
  let timeout: NodeJS.Timeout | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const seen = new Map<string, string>();
      const poll = async () => {
        const nodes = (await nodeObjects(deps, cluster.id)).filter((n) => matches(info.type, sel, n));
        const names = new Set<string>();
        for (const node of nodes) {
          const name = node.metadata.name ?? "";
          names.add(name);
          // readiness, and what the cluster itself changes on its view (cordon, labels, taints)
          const ready = JSON.stringify([
            (node.status as { conditions?: { type: string; status: string }[] }).conditions?.find(
              (x) => x.type === "Ready",
            )?.status,
            node.spec,
            node.metadata.labels,
          ]);
          const before = seen.get(name);
          if (before === undefined) controller.enqueue(render("ADDED", node));
          else if (before !== ready) controller.enqueue(render("MODIFIED", node));
          seen.set(name, ready);
        }
        for (const name of [...seen.keys()]) {
          if (!names.has(name)) {
            seen.delete(name);
            controller.enqueue(render("DELETED", { apiVersion: "v1", kind: "Node", metadata: { name } }));
          }
        }
      };
      await poll();
      timer = setInterval(() => void poll().catch(() => undefined), NODE_POLL_MS);
      timeout = setTimeout(() => {
        clearInterval(timer);
        controller.close();
      }, timeoutSeconds * 1000);
    },
    cancel() {
      clearInterval(timer);
      clearTimeout(timeout);
    },
  });
  return new Response(stream, {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-cache, private" },
  });
}
