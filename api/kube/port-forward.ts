import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createWebSocketStream, WebSocket, type WebSocketServer } from "ws";
import { HALF_CLOSE } from "../../core/agent-protocol";
import { kubeErrors } from "../../core/k8s/errors";
import type { Pod } from "../../core/k8s/types";
import type { ApiDeps } from "../env";
import { agentRequest } from "./agent-request";
import { SpdySession, type SpdyStream } from "./spdy/session";

const PROTOCOL = "portforward.k8s.io";
/** kubectl 1.31+ tunnels the same SPDY session through a WebSocket of this subprotocol. */
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PROTOCOL}`;
/** Stream pairs a session may leave half-opened (an error stream waiting for its data stream, or back). */
const MAX_PENDING_PAIRS = 128;

interface Target {
  clusterId: string;
  pod: Pod;
  agentUrl: string;
}

type Deps = Pick<ApiDeps, "config" | "now">;

/** One forwarded connection: kubectl opens an error stream and a data stream per local connection. */
interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
}

/**
 * A stream's `port` header as the kubelet reads it (a decimal uint16 above 0), with the kubelet's messages
 * for anything else: the value goes into the agent's URL, so nothing but a plain number may pass.
 */
export function parsePortHeader(value: string | undefined): { port: number } | { error: string } {
  if (!value) return { error: `"port" header is required` };
  const quoted = JSON.stringify(value);
  if (!/^\d+$/.test(value))
    return {
      error: `unable to parse ${quoted} as a port: strconv.ParseUint: parsing ${quoted}: invalid syntax`,
    };
  const port = Number(value);
  if (port > 65535)
    return {
      error: `unable to parse ${quoted} as a port: strconv.ParseUint: parsing ${quoted}: value out of range`,
    };
  if (port < 1) return { error: `port ${quoted} must be > 0` };
  return { port };
}

function relay(deps: Deps, target: Target, pair: Required<Pair>): void {
  let finished = false;
  const finish = (message?: string) => {
    if (finished) return;
    finished = true;
    if (message) pair.error.write(Buffer.from(message));
    pair.error.end();
    pair.data.end();
  };
  const parsed = parsePortHeader(pair.data.headers.port);
  if ("error" in parsed) {
    finish(parsed.error);
    return;
  }
  const { port } = parsed;
  let upstream: WebSocket;
  try {
    const { url, headers } = agentRequest(deps, target.agentUrl, {
      cluster: target.clusterId,
      pod: target.pod.metadata.uid ?? "",
      verb: "portforward",
      target: String(port),
    });
    upstream = new WebSocket(url, { headers });
  } catch (err) {
    finish(`error forwarding port ${port}: ${(err as Error).message}`);
    return;
  }
  upstream.once("unexpected-response", (_req, res) => {
    let text = "";
    res.on("data", (c: Buffer) => {
      text += c;
    });
    res.on("error", () => finish(`error forwarding port ${port}`));
    res.on("end", () => finish(text.trim() || `error forwarding port ${port}`));
  });
  upstream.on("error", (err) => finish(`error forwarding port ${port}: ${err.message}`));
  // the client gave up on this connection (RST_STREAM, or the whole session went away)
  let clientEnded = false;
  pair.data.incoming.on("end", () => {
    clientEnded = true;
  });
  pair.data.incoming.on("close", () => {
    if (!clientEnded) upstream.terminate();
  });
  upstream.once("open", () => {
    const open = () => upstream.readyState === upstream.OPEN;
    pair.data.incoming.on("data", (chunk: Buffer) => open() && upstream.send(chunk));
    pair.data.incoming.on("end", () => open() && upstream.send(HALF_CLOSE));
    upstream.on("message", (data: Buffer) => pair.data.write(data));
    upstream.on("close", () => finish());
  });
}

function serve(deps: Deps, transport: Duplex, target: Target): void {
  const pairs = new Map<string, Pair>();
  const session = new SpdySession(transport, (stream) => {
    const id = stream.headers.requestid ?? "";
    const type = stream.headers.streamtype;
    const pair = pairs.get(id) ?? {};
    if (
      (type !== "error" && type !== "data") ||
      pair[type] ||
      (!pairs.has(id) && pairs.size >= MAX_PENDING_PAIRS)
    )
      return stream.reset();
    pair[type] = stream;
    pairs.set(id, pair);
    if (pair.error && pair.data) {
      pairs.delete(id);
      relay(deps, target, { error: pair.error, data: pair.data });
    }
  });
  session.on("error", () => undefined);
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
  if (!node?.agentUrl) throw kubeErrors.badRequest(`pod ${name} has no reachable node`);
  return { clusterId, pod, agentUrl: node.agentUrl };
}

/**
 * `pods/portforward` as kubectl speaks it: SPDY/3.1 streams (`streamType` error/data, `port`, `requestID`),
 * over a raw upgraded connection (kubectl ≤ 1.30) or tunnelled in a WebSocket (1.31+). Each stream pair
 * becomes one connection from the pod's node agent to the pod's port; a pair whose port is not a port is
 * answered on its error stream and closed.
 */
export function acceptPortForward(
  deps: Deps,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: Target,
): void {
  const upgrade = (req.headers.upgrade ?? "").toLowerCase();
  if (upgrade === "websocket") {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("error", () => undefined);
      serve(deps, createWebSocketStream(ws), target);
    });
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
  serve(deps, socket, target);
}
