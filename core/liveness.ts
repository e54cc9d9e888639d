import { createServer, type Server } from "node:http";

/**
 * Answers the supervisor's "ping" over the IPC channel it started this process with (`npm start`): a
 * process whose event loop is stuck cannot answer, and is restarted.
 */
export function answerLivenessPings(): void {
  process.on("message", (m) => {
    if (m === "ping") process.send?.("pong");
  });
}

/**
 * Answers GET /livez on `port` (all addresses) for a probe from outside the process, as Kubernetes'
 * liveness probes ask it: a process whose event loop is stuck cannot answer, and is restarted.
 */
export function serveLivez(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const live = req.method === "GET" && req.url === "/livez";
    res.writeHead(live ? 200 : 404, { "content-type": "text/plain" }).end(live ? "ok" : "not found");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve(server));
  });
}
