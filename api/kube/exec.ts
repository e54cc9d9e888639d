import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { agentQuery, REMOTECOMMAND_PROTOCOLS } from "../../core/agent-protocol";
import { hiddenError, KubeError, kubeErrors } from "../../core/k8s/errors";
import { allContainerStatuses } from "../../core/k8s/pods";
import type { Status } from "../../core/k8s/types";
import { createLogger } from "../../core/telemetry";
import type { ApiDeps } from "../env";
import { agentRequest } from "./agent-request";
import { authenticate } from "./auth";
import { authorizeStream } from "./authorization";
import { acceptExecSpdy } from "./exec-spdy";
import { podContainer } from "./pod-container";
import { acceptPortForward, portForwardTarget, TUNNEL_PROTOCOL } from "./port-forward";

const log = createLogger("api");

const STREAM_PATH =
  /^\/clusters\/([^/]+)\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/;
const PROTOCOLS = [...REMOTECOMMAND_PROTOCOLS, TUNNEL_PROTOCOL];

function refuse(socket: Duplex, status: Status): void {
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${status.reason ?? "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Resolves the container an exec targets, with kube-apiserver's errors for the usual mistakes. */
async function target(deps: ApiDeps, clusterId: string, namespace: string, name: string, url: URL) {
  const { pod, container } = await podContainer(
    deps,
    { clusterId, namespace, name },
    url.searchParams.get("container"),
    { includeInit: false },
  );
  if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") {
    throw kubeErrors.badRequest(
      `cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`,
    );
  }
  const running = allContainerStatuses(pod).find((s) => s.name === container)?.state.running;
  const node = pod.spec.nodeName ? await deps.nodes.get(pod.spec.nodeName) : undefined;
  if (!running || !node?.agentUrl) throw kubeErrors.badRequest(`container ${container} is not running`);
  return { pod, container, node };
}

/**
 * The streaming subresources: `pods/exec` and `attach` over WebSocket (remotecommand v5/v4, kubectl 1.30+)
 * relayed frame for frame to the node agent, which runs the command — the API never talks to Docker — or
 * over SPDY (kubectl ≤ 1.29, exec-spdy.ts); `pods/portforward` over SPDY, raw or tunnelled (port-forward.ts).
 */
export function kubeUpgradeHandler(deps: ApiDeps) {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  return async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // once it emits 'upgrade', Node's HTTP server no longer listens for the socket's errors: a client that
    // resets the connection while the request is looked up would otherwise crash the process
    socket.on("error", () => undefined);
    try {
      const url = new URL(req.url ?? "/", "http://api");
      const match = STREAM_PATH.exec(url.pathname);
      if (!match) throw kubeErrors.unknownResource();
      const [, clusterId = "", namespace = "", name = "", verb = "exec"] = match.map(decodeURIComponent);
      const { principal } = await authenticate(deps, clusterId, req.headers.authorization);
      await authorizeStream(deps, clusterId, principal, req, { namespace, name, subresource: verb });
      if (verb === "portforward") {
        const forward = await portForwardTarget(deps, clusterId, namespace, name);
        return acceptPortForward(deps, wss, req, socket, head, forward);
      }
      const { pod, container, node } = await target(deps, clusterId, namespace, name, url);
      const streamVerb = verb === "attach" ? "attach" : "exec";
      const upstream = agentRequest(
        deps,
        node.agentUrl ?? "",
        { cluster: clusterId, pod: pod.metadata.uid ?? "", verb: streamVerb, target: container },
        agentQuery(streamVerb, (key) => url.searchParams.getAll(key)),
      );
      if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
        return acceptExecSpdy(req, socket, head, upstream, url.searchParams);
      }
      const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
      const protocol = PROTOCOLS.find((p) => offered.includes(p));
      if (!protocol) throw kubeErrors.badRequest(`unsupported streaming protocols: ${offered.join(", ")}`);
      const agent = new WebSocket(upstream.url, protocol, { headers: upstream.headers });
      relayWebSocket(wss, req, socket, head, agent, node.name);
    } catch (err) {
      if (err instanceof KubeError) return refuse(socket, err.status);
      log.error("stream upgrade failed", { error: (err as Error).stack ?? String(err) });
      refuse(socket, kubeErrors.internal(hiddenError(undefined)).status);
    }
  };
}

/**
 * Frames relayed as they are, both ways, between the client and the agent: the agent parses them. Until
 * the agent accepts, its refusal is the client's HTTP answer; afterwards either side closing closes both.
 */
function relayWebSocket(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  upstream: WebSocket,
  nodeName: string,
): void {
  let client: WebSocket | undefined;
  upstream.once("unexpected-response", (_req, res) => {
    let text = "";
    res.on("data", (c: Buffer) => {
      text += c;
    });
    res.on("error", () => undefined);
    res.on("end", () =>
      refuse(socket, kubeErrors.badRequest(text.trim() || "the node refused the exec").status),
    );
  });
  upstream.on("error", () => {
    if (client) client.close(1011);
    else refuse(socket, kubeErrors.internal(`the node agent of ${nodeName} did not answer`).status);
  });
  // the client left before the agent answered: nothing will take the upgrade, so nothing must stay open
  socket.once("close", () => {
    if (!client && upstream.readyState !== upstream.CLOSED) upstream.terminate();
  });
  upstream.once("open", () => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      client = ws;
      ws.on("error", () => undefined);
      ws.on("message", (data: Buffer) => upstream.readyState === upstream.OPEN && upstream.send(data));
      upstream.on("message", (data: Buffer) => ws.readyState === ws.OPEN && ws.send(data));
      ws.on("close", () => upstream.close());
      upstream.on("close", () => ws.close(1000));
    });
  });
}
