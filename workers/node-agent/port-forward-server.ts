import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { type AgentRequest, isHalfClose } from "../../core/agent-protocol";
import { latest } from "./plan";
import { LABEL, type PodRuntime } from "./runtime";

function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} Error\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`);
}

function bridge(ws: WebSocket, conn: Socket): void {
  conn.on("data", (chunk: Buffer) => ws.readyState === ws.OPEN && ws.send(chunk));
  conn.on("end", () => ws.close(1000));
  conn.on("close", () => ws.readyState === ws.OPEN && ws.close(1000));
  conn.on("error", () => ws.close(1011));
  ws.on("error", () => conn.destroy());
  ws.on("message", (data: Buffer, binary: boolean) => {
    if (conn.destroyed) return;
    if (isHalfClose(data, binary)) conn.end();
    else conn.write(data);
  });
  ws.on("close", () => conn.destroy());
}

/**
 * The kubelet's port-forward, one WebSocket per forwarded connection: the agent connects to the pod's
 * port from the node (pods' networks are the host's bridges), then relays bytes both ways. A port nothing
 * listens on is refused before the upgrade, with the reason for kubectl to print. The request has been
 * checked against its ticket: its port is a port.
 */
export function portForwardUpgrade(runtime: PodRuntime) {
  const wss = new WebSocketServer({ noServer: true });
  return async (req: IncomingMessage, socket: Duplex, head: Buffer, request: AgentRequest): Promise<void> => {
    const { cluster, pod: uid } = request;
    const port = Number(request.target);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      return refuse(socket, 400, `invalid port ${request.target}`);
    const pods = await runtime.listPods({ [LABEL.cluster]: cluster, [LABEL.podUid]: uid });
    const sandbox = latest(pods.get(uid)?.sandboxes ?? []);
    if (sandbox?.state !== "running" || !sandbox.ip) return refuse(socket, 400, `pod ${uid} is not running`);
    const conn = connect({ host: sandbox.ip, port });
    let upgraded = false;
    conn.on("error", (err) => {
      if (upgraded) return;
      refuse(
        socket,
        502,
        `error forwarding port ${port} to pod ${uid}, uid : failed to connect to localhost:${port} inside namespace: ${err.message}`,
      );
    });
    // the API's connection went away before the pod's port answered
    socket.once("close", () => {
      if (!upgraded) conn.destroy();
    });
    conn.once("connect", () => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        upgraded = true;
        bridge(ws, conn);
      });
    });
  };
}
