import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { type AgentRequest, authorizeAgentRequest, parseLogQuery } from "../../core/agent-protocol";
import { execUpgradeHandler, type StreamServerOptions } from "./exec-server";
import { instancesOf, latest } from "./plan";
import { LABEL, type PodRuntime } from "./runtime";

export interface AgentServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The kubelet's read API for the API servers: container logs, for a request that carries a ticket the API
 * signed for exactly that pod and container (`core/agent-protocol`); the API proxies `pods/log` here
 * because only the node agent talks to Docker. The streaming endpoints share the same check.
 */
export async function startAgentServer(
  options: StreamServerOptions & {
    runtime: PodRuntime;
    host: string;
    port: number;
    /** The host in the URL it reports, when the API reaches it by another name than `host`. */
    advertiseHost?: string;
  },
): Promise<AgentServer> {
  const { runtime, ticketKey, logger } = options;
  const now = options.now ?? (() => new Date());
  const app = new Hono<{ Variables: { request: AgentRequest } }>();
  app.use("*", async (c, next) => {
    const auth = authorizeAgentRequest(
      ticketKey,
      c.req.header("authorization"),
      new URL(c.req.url).pathname,
      now(),
    );
    if (!auth.ok) {
      if (auth.status !== 404)
        logger?.warn("agent: refused a request", { status: auth.status, reason: auth.reason });
      return c.text(
        auth.status === 404 ? "Not Found" : auth.status === 401 ? "Unauthorized" : "Forbidden",
        auth.status,
      );
    }
    c.set("request", auth.request);
    await next();
  });
  app.get("*", async (c) => {
    const { cluster, pod: uid, verb, target: name } = c.get("request");
    if (verb !== "logs") return c.text("Not Found", 404);
    const pods = await runtime.listPods({ [LABEL.cluster]: cluster, [LABEL.podUid]: uid });
    const instances = instancesOf(pods.get(uid), name);
    const newest = latest(instances);
    const { previous, follow, ...options } = parseLogQuery(new URL(c.req.url).searchParams);
    const target = previous ? instances.find((i) => i.attempt === (newest?.attempt ?? 0) - 1) : newest;
    if (!target) {
      return c.text(
        previous
          ? `previous terminated container "${name}" in pod not found`
          : `container "${name}" is waiting to start`,
        400,
      );
    }
    const stream = await runtime.logs(target.id, { ...options, follow: follow && !previous });
    c.req.raw.signal.addEventListener("abort", () => stream.destroy());
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  });
  app.onError((err, c) => {
    logger?.warn("agent: request failed", { error: err.message });
    return c.text("Internal Server Error", 500);
  });
  const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port });
  const onUpgrade = execUpgradeHandler(runtime, options);
  server.on("upgrade", (req, socket, head) => {
    onUpgrade(req, socket, head).catch((err: Error) => {
      logger?.warn("agent: stream request failed", { error: err.message });
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.advertiseHost ?? options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
