import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { createSecureContext, type SecureContext } from "node:tls";
import type { Backend, Certificate, HttpGateway } from "./config";
import { hostMatches, matchRoute } from "./http-routes";

/**
 * The Ingress data path: an HTTP listener, and an HTTPS one choosing certificates by SNI, both routing by
 * host and path to ready backends, round-robin.
 */
export class HttpGatewayServer {
  private config: HttpGateway | undefined;
  private server: Server | undefined;
  private tlsServer: Server | undefined;
  private port = 0;
  private tlsPort = 0;
  private next = 0;
  private contexts: { hosts: string[]; context: SecureContext }[] = [];

  constructor(private readonly log: (message: string, fields?: Record<string, unknown>) => void) {}

  apply(config: HttpGateway | undefined): void {
    this.config = config;
    this.contexts = (config?.tls?.certificates ?? []).flatMap((c) => this.context(c));
    if (config?.port !== this.port) {
      this.server?.close();
      this.server = undefined;
      this.port = 0;
      if (config) {
        this.port = config.port;
        this.server = this.listen(
          createServer((req, res) => this.route(req, res)),
          config.port,
          () => {
            this.server = undefined;
            this.port = 0;
          },
        );
      }
    }
    const tlsPort = config?.tls && this.contexts.length ? config.tls.port : 0;
    if (tlsPort !== this.tlsPort) {
      this.tlsServer?.close();
      this.tlsServer = undefined;
      this.tlsPort = tlsPort;
      if (tlsPort) {
        const server = createTlsServer(
          {
            SNICallback: (name, done) => done(null, this.contextFor(name)),
          },
          (req, res) => this.route(req, res),
        );
        this.tlsServer = this.listen(server, tlsPort, () => {
          this.tlsServer = undefined;
          this.tlsPort = 0;
        });
      }
    }
  }

  private context(c: Certificate): { hosts: string[]; context: SecureContext }[] {
    try {
      return [{ hosts: c.hosts, context: createSecureContext({ cert: c.cert, key: c.key }) }];
    } catch (e) {
      this.log("ingress certificate refused", { hosts: c.hosts, error: (e as Error).message });
      return [];
    }
  }

  /** The certificate declared for the name, else the first one (as ingress controllers fall back to a default). */
  private contextFor(name: string): SecureContext | undefined {
    const host = name.toLowerCase();
    return (this.contexts.find((c) => c.hosts.some((h) => hostMatches(h, host))) ?? this.contexts[0])
      ?.context;
  }

  private listen(server: Server, port: number, onFailure: () => void): Server {
    server.on("error", (e) => {
      this.log("ingress listener failed", { port, error: e.message });
      onFailure();
    });
    server.listen(port);
    return server;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = matchRoute(this.config?.routes ?? [], req.headers.host ?? "", path);
    const backend = route ? this.pick(route.backends) : undefined;
    if (!backend) {
      res.writeHead(route ? 503 : 404, { "content-type": "text/plain" });
      res.end(route ? "503 Service Temporarily Unavailable\n" : "404 Not Found\n");
      return;
    }
    const upstream = request(
      { host: backend.ip, port: backend.port, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end("502 Bad Gateway\n");
    });
    req.pipe(upstream);
  }

  private pick(backends: Backend[]): Backend | undefined {
    if (backends.length === 0) return undefined;
    return backends[this.next++ % backends.length];
  }
}
