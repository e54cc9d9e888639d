import { mkdirSync, rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { dirname } from "node:path";
import { API_RELAY_SOCKET } from "./config";

/**
 * The gateway's end of the API relay: a Unix socket on the volume the clusters' netds share, each
 * connection piped as bytes to the platform API's one address (TLS runs end to end, netd to API). It
 * leads nowhere else, and no address of the host listens for it.
 */
export class ApiRelay {
  private server: Server | undefined;
  private target = "";

  constructor(
    private readonly log: (message: string, fields?: Record<string, unknown>) => void,
    private readonly socketPath = API_RELAY_SOCKET,
  ) {}

  apply(target: { host: string; port: number } | undefined): void {
    const key = target ? `${target.host}:${target.port}` : "";
    if (key === this.target) return;
    this.server?.close();
    this.server = undefined;
    this.target = key;
    if (!target) return;
    mkdirSync(dirname(this.socketPath), { recursive: true });
    rmSync(this.socketPath, { force: true });
    const server = createServer((client) => {
      const upstream = connect({ host: target.host, port: target.port });
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    server.on("error", (e) => {
      this.log("API relay failed", { error: e.message });
      server.close();
      this.server = undefined;
      this.target = "";
    });
    server.listen(this.socketPath);
    this.server = server;
  }
}
