import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { request } from "node:http";
import { createServer, type Server } from "node:https";
import { connect as connectUnix, isIP, type Socket } from "node:net";
import { connect as connectTls, rootCertificates } from "node:tls";
import { API_RELAY_SOCKET, type KubeApi } from "./config";

/**
 * The path a pod's request takes on the platform API: its own path with dot segments resolved (so that
 * nothing climbs out of the prefix), under the cluster's prefix; undefined for a request target that is
 * not a path (absolute or authority form). Pure.
 */
export function upstreamPath(prefix: string, target: string | undefined): string | undefined {
  if (!target?.startsWith("/")) return undefined;
  const url = new URL(target, "http://in-cluster");
  return `${prefix}${url.pathname}${url.search}`;
}

/** A status line and headers, as written on a socket taken over by an Upgrade. */
function head(status: number, message: string, raw: string[]): string {
  const lines = [`HTTP/1.1 ${status} ${message}`];
  for (let i = 0; i + 1 < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/**
 * The cluster's Kubernetes API on its `kubernetes` Service: HTTPS listeners that relay every request,
 * watch streams and Upgrades (exec, attach, port-forward) included, to the platform API under the
 * cluster's prefix, over TLS through the gateway's socket. The platform API authenticates each request's
 * own token; netd adds no credential of its own.
 */
export class KubeApiServer {
  private config: KubeApi | undefined;
  private readonly servers = new Map<string, Server>();
  private identity = "";

  constructor(
    private readonly log: (message: string, fields?: Record<string, unknown>) => void,
    private readonly socketPath = API_RELAY_SOCKET,
  ) {}

  apply(config: KubeApi | undefined): void {
    this.config = config;
    const wanted = new Set((config?.listen ?? []).map((l) => `${l.ip}:${l.port}`));
    for (const [key, server] of this.servers)
      if (!wanted.has(key)) {
        server.close();
        this.servers.delete(key);
      }
    const identity = config ? `${config.cert}${config.key}` : "";
    if (config && identity !== this.identity)
      for (const server of this.servers.values())
        server.setSecureContext({ cert: config.cert, key: config.key });
    this.identity = identity;
    for (const l of config?.listen ?? []) {
      const key = `${l.ip}:${l.port}`;
      if (this.servers.has(key) || !config) continue;
      const server = createServer({ cert: config.cert, key: config.key }, (req, res) => this.relay(req, res));
      server.on("upgrade", (req: IncomingMessage, socket: Socket, first: Buffer) =>
        this.upgrade(req, socket, first),
      );
      server.on("tlsClientError", () => undefined);
      server.on("error", (e) => {
        this.log("kubernetes API listener failed", { key, error: e.message });
        server.close();
        this.servers.delete(key);
      });
      server.listen({ host: l.ip, port: l.port, exclusive: true });
      this.servers.set(key, server);
    }
  }

  /** The request as the platform API gets it, or undefined when its target is not a path. */
  private upstream(req: IncomingMessage) {
    const config = this.config;
    const path = config && upstreamPath(config.prefix, req.url);
    if (!config || !path) return undefined;
    const { ca, host } = config.upstream;
    const headers: OutgoingHttpHeaders = { ...req.headers, host };
    return request({
      method: req.method,
      path,
      headers,
      createConnection: () =>
        connectTls({
          socket: connectUnix(this.socketPath),
          // the API's own certificate, or a public chain when an operator gave it one
          ca: [ca, ...rootCertificates],
          host,
          ...(isIP(host) ? {} : { servername: host }),
        }),
    });
  }

  private relay(req: IncomingMessage, res: ServerResponse): void {
    const upstream = this.upstream(req);
    if (!upstream) {
      res.writeHead(400).end();
      return;
    }
    upstream.on("response", (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      // a watch's head goes on at once: clients wait for it before the first event, which may be long
      res.flushHeaders();
      reply.pipe(res);
    });
    upstream.on("error", (e) => {
      this.log("kubernetes API relay failed", { error: e.message });
      if (!res.headersSent) res.writeHead(503, { "content-type": "text/plain" });
      res.end();
    });
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  }

  private upgrade(req: IncomingMessage, client: Socket, first: Buffer): void {
    client.on("error", () => client.destroy());
    const upstream = this.upstream(req);
    if (!upstream) {
      client.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    upstream.on("upgrade", (reply, socket: Socket, rest: Buffer) => {
      socket.on("error", () => client.destroy());
      client.write(head(101, reply.statusMessage ?? "Switching Protocols", reply.rawHeaders));
      if (rest.length) client.write(rest);
      if (first.length) socket.write(first);
      socket.pipe(client).pipe(socket);
      client.on("close", () => socket.destroy());
      socket.on("close", () => client.destroy());
    });
    // refused (401, 403…): the whole answer, then the connection closes
    upstream.on("response", (reply) => {
      const chunks: Buffer[] = [];
      reply.on("data", (c: Buffer) => chunks.push(c));
      reply.on("end", () => {
        const body = Buffer.concat(chunks);
        const raw: string[] = [];
        for (const [name, value] of Object.entries(reply.headers))
          if (!/^(connection|transfer-encoding|content-length)$/.test(name) && value !== undefined)
            for (const v of [value].flat()) raw.push(name, v);
        raw.push("content-length", String(body.length), "connection", "close");
        client.end(
          Buffer.concat([Buffer.from(head(reply.statusCode ?? 502, reply.statusMessage ?? "", raw)), body]),
        );
      });
    });
    upstream.on("error", () => client.destroy());
    upstream.end();
  }
}
