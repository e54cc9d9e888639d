import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { KubeError, kubeErrors } from "../../core/k8s/errors";
import { allContainerStatuses } from "../../core/k8s/pods";
import type { Status } from "../../core/k8s/types";
import type { ApiDeps } from "../env";
import { authenticate } from "./auth";
import { authorizeStream } from "./authorization";
import { acceptExecSpdy } from "./exec-spdy";
import { podContainer } from "./pod-container";
import { acceptPortForward, portForwardTarget, TUNNEL_PROTOCOL } from "./port-forward";

const STREAM_PATH =
  /^\/clusters\/([^/]+)\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/;
const PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io", TUNNEL_PROTOCOL];

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
    try {
      const url = new URL(req.url ?? "/", "http://api");
      const match = STREAM_PATH.exec(url.pathname);
      if (!match) throw kubeErrors.unknownResource();
      const [, clusterId = "", namespace = "", name = "", verb = "exec"] = match.map(decodeURIComponent);
      const { principal } = await authenticate(deps, clusterId, req.headers.authorization);
      await authorizeStream(deps, clusterId, principal, req, { namespace, name, subresource: verb });
      if (verb === "portforward") {
        const forward = await portForwardTarget(deps, clusterId, namespace, name);
        return acceptPortForward(wss, req, socket, head, forward);
      }
      const { pod, container, node } = await target(deps, clusterId, namespace, name, url);
      const upstreamUrl = new URL(
        `${node.agentUrl?.replace(/^http/, "ws")}/pods/${clusterId}/${pod.metadata.uid}/containers/${encodeURIComponent(container)}/${verb}`,
      );
      for (const key of ["command", "stdin", "stdout", "stderr", "tty"]) {
        for (const v of url.searchParams.getAll(key)) upstreamUrl.searchParams.append(key, v);
      }
      if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
        return acceptExecSpdy(
          req,
          socket,
          head,
          { url: upstreamUrl, token: node.agentToken ?? "" },
          url.searchParams,
        );
      }
      const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
      const protocol = PROTOCOLS.find((p) => offered.includes(p));
      if (!protocol) throw kubeErrors.badRequest(`unsupported streaming protocols: ${offered.join(", ")}`);
      const upstream = new WebSocket(upstreamUrl, protocol, {
        headers: { authorization: `Bearer ${node.agentToken}` },
      });
      upstream.once("unexpected-response", (_req, res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c;
        });
        res.on("end", () =>
          refuse(socket, kubeErrors.badRequest(text.trim() || "the node refused the exec").status),
        );
      });
      upstream.once("error", (err) =>
        refuse(socket, kubeErrors.internal(`node ${node.name}: ${err.message}`).status),
      );
      upstream.once("open", () => {
        wss.handleUpgrade(req, socket, head, (client) => {
          client.on(
            "message",
            (data: Buffer) => upstream.readyState === upstream.OPEN && upstream.send(data),
          );
          upstream.on("message", (data: Buffer) => client.readyState === client.OPEN && client.send(data));
          client.on("close", () => upstream.close());
          upstream.on("close", () => client.close(1000));
        });
      });
    } catch (err) {
      refuse(
        socket,
        err instanceof KubeError ? err.status : kubeErrors.internal((err as Error).message).status,
      );
    }
  };
}
