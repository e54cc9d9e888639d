import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { safeEqual } from "../../core/tokens";
import { execUpgradeHandler } from "./exec-server";
import { instancesOf, latest } from "./plan";
import { LABEL, type PodRuntime } from "./runtime";

export interface AgentServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The kubelet's read API for the API servers: container logs, authenticated by the node's agent token.
 * The API proxies `pods/log` here because only the node agent talks to Docker.
 */
export async function startAgentServer(options: {
  runtime: PodRuntime;
  token: string;
  host: string;
  port: number;
}): Promise<AgentServer> {
  const { runtime, token } = options;
  const app = new Hono();
  app.use("*", async (c, next) => {
    const given = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    if (!safeEqual(given, token)) return c.text("Unauthorized", 401);
    await next();
  });
  app.get("/pods/:cluster/:uid/containers/:name/logs", async (c) => {
    const { cluster, uid, name } = c.req.param();
    const pods = await runtime.listPods({ [LABEL.cluster]: cluster, [LABEL.podUid]: uid });
    const instances = instancesOf(pods.get(uid), name);
    const newest = latest(instances);
    const previous = c.req.query("previous") === "true";
    const target = previous ? instances.find((i) => i.attempt === (newest?.attempt ?? 0) - 1) : newest;
    if (!target) {
      return c.text(
        previous
          ? `previous terminated container "${name}" in pod not found`
          : `container "${name}" is waiting to start`,
        400,
      );
    }
    const num = (key: string) => {
      const v = c.req.query(key);
      return v === undefined || v === "" ? undefined : Number(v);
    };
    const tailLines = num("tailLines");
    const sinceSeconds = num("sinceSeconds");
    const limitBytes = num("limitBytes");
    const stream = await runtime.logs(target.id, {
      follow: c.req.query("follow") === "true" && !previous,
      timestamps: c.req.query("timestamps") === "true",
      ...(tailLines !== undefined ? { tailLines } : {}),
      ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
      ...(limitBytes !== undefined ? { limitBytes } : {}),
    });
    c.req.raw.signal.addEventListener("abort", () => stream.destroy());
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  });
  const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port });
  const onUpgrade = execUpgradeHandler(runtime, token);
  server.on("upgrade", (req, socket, head) => void onUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
