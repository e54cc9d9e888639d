import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createWebSocketStream, WebSocket, type WebSocketServer } from "ws";
import { kubeErrors } from "../../core/k8s/errors";
import type { Pod } from "../../core/k8s/types";
import { HALF_CLOSE } from "../../workers/node-agent/port-forward-server";
import type { ApiDeps } from "../env";
import { SpdySession, type SpdyStream } from "./spdy/session";

const PROTOCOL = "portforward.k8s.io";
/** kubectl 1.31+ tunnels the same SPDY session through a WebSocket of this subprotocol. */
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PROTOCOL}`;

interface Target {
  clusterId: string;
  pod: Pod;
  agentUrl: string;
  agentToken: string;
}

/** One forwarded connection: kubectl opens an error stream and a data stream per local connection. */
interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
}

function relay(target: Target, pair: Required<Pair>): void {
  const port = pair.data.headers.port ?? "";
  const url = `${target.agentUrl.replace(/^http/, "ws")}/pods/${target.clusterId}/${target.pod.metadata.uid}/portforward/${port}`;
  const upstream = new WebSocket(url, { headers: { authorization: `Bearer ${target.agentToken}` } });
  const finish = (message?: string) => {
    if (message) pair.error.write(Buffer.from(message));
    pair.error.end();
    pair.data.end();
  };
  upstream.once("unexpected-response", (_req, res) => {
    let text = "";
    res.on("data", (c: Buffer) => {
      text += c;
    });
    res.on("end", () => finish(text.trim() || `error forwarding port ${port}`));
  });
  upstream.once("error", (err) => finish(`error forwarding port ${port}: ${err.message}`));
  upstream.once("open", () => {
    pair.data.incoming.on("data", (chunk: Buffer) => upstream.send(chunk));
    pair.data.incoming.on("end", () => upstream.readyState === upstream.OPEN && upstream.send(HALF_CLOSE));
    upstream.on("message", (data: Buffer) => pair.data.write(data));
    upstream.on("close", () => finish());
  });
}

function serve(transport: Duplex, target: Target): void {
  const pairs = new Map<string, Pair>();
  new SpdySession(transport, (stream) => {
    const id = stream.headers.requestid ?? "";
    const pair = pairs.get(id) ?? {};
    pairs.set(id, pair);
    if (stream.headers.streamtype === "error") pair.error = stream;
    else if (stream.headers.streamtype === "data") pair.data = stream;
    else return stream.reset();
    if (pair.error && pair.data) {
      pairs.delete(id);
      relay(target, { error: pair.error, data: pair.data });
    }
  }).on("error", () => undefined);
}

/** The running pod `pods/portforward` reaches, and the agent of its node. */
export async function portForwardTarget(
  deps: ApiDeps,
  clusterId: string,
  namespace: string,
  name: string,
): Promise<Target> {
  const pod = (await deps.store.get({ clusterId, group: "", resource: "pods", namespace, name })) as
    | Pod
    | undefined;
  if (!pod) throw kubeErrors.notFound("pods", "", name);
  if (pod.status?.phase !== "Running")
    throw kubeErrors.badRequest(`pod ${name} is not running (phase ${pod.status?.phase ?? "Pending"})`);
  const node = pod.spec.nodeName ? await deps.nodes.get(pod.spec.nodeName) : undefined;
  if (!node?.agentUrl || !node.agentToken) throw kubeErrors.badRequest(`pod ${name} has no reachable node`);
  return { clusterId, pod, agentUrl: node.agentUrl, agentToken: node.agentToken };
}

/**
 * `pods/portforward` as kubectl speaks it: SPDY/3.1 streams (`streamType` error/data, `port`, `requestID`),
 * over a raw upgraded connection (kubectl ≤ 1.30) or tunnelled in a WebSocket (1.31+). Each stream pair
 * becomes one connection from the pod's node agent to the pod's port.
 */
export function acceptPortForward(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: Target,
): void {
  const upgrade = (req.headers.upgrade ?? "").toLowerCase();
  if (upgrade === "websocket") {
    wss.handleUpgrade(req, socket, head, (ws) => serve(createWebSocketStream(ws), target));
    return;
  }
  const versions = String(req.headers["x-stream-protocol-version"] ?? "")
    .split(",")
    .map((v) => v.trim());
  if (upgrade !== "spdy/3.1" || !versions.includes(PROTOCOL))
    throw kubeErrors.badRequest(`unable to upgrade: port-forward speaks SPDY/3.1 (${PROTOCOL})`);
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PROTOCOL}\r\n\r\n`,
  );
  if (head.length) socket.unshift(head);
  serve(socket, target);
}
