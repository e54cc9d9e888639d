import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { latest } from "./plan";
import { LABEL, type PodRuntime } from "./runtime";

export const PORT_FORWARD_PATH = /^\/pods\/([^/]+)\/([^/]+)\/portforward\/(\d+)$/;

/** A text message on the tunnel: the API's client half-closed, so the pod's connection is half-closed too. */
export const HALF_CLOSE = "end";

function refuse(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} Error\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`);
}

function bridge(ws: WebSocket, conn: Socket): void {
  conn.on("data", (chunk: Buffer) => ws.readyState === ws.OPEN && ws.send(chunk));
  conn.on("end", () => ws.close(1000));
  conn.on("error", () => ws.close(1011));
  ws.on("message", (data: Buffer, binary: boolean) => {
    if (!binary && data.toString() === HALF_CLOSE) conn.end();
    else conn.write(data);
  });
  ws.on("close", () => conn.destroy());
}

/**
 * The kubelet's port-forward, one WebSocket per forwarded connection: the agent connects to the pod's
 * port from the node (pods' networks are the host's bridges), then relays bytes both ways. A port nothing
 * listens on is refused before the upgrade, with the reason for kubectl to print.
 */
export function portForwardUpgrade(runtime: PodRuntime) {
  const wss = new WebSocketServer({ noServer: true });
  return async (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    match: RegExpExecArray,
  ): Promise<void> => {
    const [, cluster = "", uid = "", portText = ""] = match.map(decodeURIComponent);
    const port = Number(portText);
    const pods = await runtime.listPods({ [LABEL.cluster]: cluster, [LABEL.podUid]: uid });
    const sandbox = latest(pods.get(uid)?.sandboxes ?? []);
    if (sandbox?.state !== "running" || !sandbox.ip) return refuse(socket, 400, `pod ${uid} is not running`);
    const conn = connect({ host: sandbox.ip, port });
    conn.once("error", (err) =>
      refuse(
        socket,
        502,
        `error forwarding port ${port} to pod ${uid}, uid : failed to connect to localhost:${port} inside namespace: ${err.message}`,
      ),
    );
    conn.once("connect", () => {
      conn.removeAllListeners("error");
      wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, conn));
    });
  };
}
