import { createServer, request, type Server } from "node:http";
import type { Backend, HttpGateway } from "./config";
import { matchRoute } from "./http-routes";

/** The Ingress data path: one HTTP listener routing by host and path to ready backends, round-robin. */
export class HttpGatewayServer {
  private config: HttpGateway | undefined;
  private server: Server | undefined;
  private port = 0;
  private next = 0;

  constructor(private readonly log: (message: string, fields?: Record<string, unknown>) => void) {}

  apply(config: HttpGateway | undefined): void {
    this.config = config;
    if (config?.port === this.port) return;
    this.server?.close();
    this.server = undefined;
    this.port = 0;
    if (!config) return;
    this.port = config.port;
    this.server = createServer((req, res) => {
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
    });
    this.server.on("error", (e) => {
      this.log("ingress listener failed", { port: config.port, error: e.message });
      this.server = undefined;
      this.port = 0;
    });
    this.server.listen(config.port);
  }

  private pick(backends: Backend[]): Backend | undefined {
    if (backends.length === 0) return undefined;
    return backends[this.next++ % backends.length];
  }
}
