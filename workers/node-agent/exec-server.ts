import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import {
  authorizeAgentRequest,
  CHANNEL,
  decodeFrame,
  encodeFrame,
  exitStatus,
  failureStatus,
  parseResize,
  parseStreamQuery,
  REMOTECOMMAND_PROTOCOLS,
} from "../../core/agent-protocol";
import type { Logger } from "../../core/telemetry";
import { instancesOf, latest } from "./plan";
import { portForwardUpgrade } from "./port-forward-server";
import { LABEL, type PodRuntime } from "./runtime";

function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`,
  );
}

/** What the agent's streaming endpoints need besides the runtime. */
export interface StreamServerOptions {
  /** The key the API signs tickets with (`agentTicketKey`). */
  ticketKey: string;
  logger?: Logger;
  now?: () => Date;
}

/**
 * Bridges one WebSocket to one `docker exec` (or attach), in the remotecommand channel format. Every frame
 * comes from a student: one that makes no sense (an unknown channel, a resize that is not a size) is
 * ignored, as the kubelet does, and the stream carries on.
 */
async function bridge(
  ws: WebSocket,
  runtime: PodRuntime,
  containerId: string,
  url: URL,
  attach: boolean,
  logger: Logger | undefined,
): Promise<void> {
  const { command, stdin, tty } = parseStreamQuery(url.searchParams);
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(channel, data));
  };
  // frames can arrive while docker is still starting the exec: hold them until it runs
  const early: Buffer[] = [];
  let onFrame = (data: Buffer) => {
    early.push(data);
  };
  const receive = (data: Buffer) => {
    try {
      onFrame(data);
    } catch (err) {
      logger?.warn("exec: dropped a frame", { error: (err as Error).message });
    }
  };
  ws.on("message", receive);
  let session: Awaited<ReturnType<PodRuntime["exec"]>>;
  try {
    session = attach
      ? await runtime.attach(containerId, { stdin, tty })
      : await runtime.exec(containerId, { command, stdin, tty });
  } catch (err) {
    send(CHANNEL.error, failureStatus((err as Error).message, "InternalError"));
    ws.close(1000);
    return;
  }
  onFrame = (message: Buffer) => {
    const frame = decodeFrame(message);
    if (frame?.channel === CHANNEL.stdin) session.write(frame.data);
    else if (frame?.channel === CHANNEL.resize) {
      const size = parseResize(frame.data);
      if (size) session.resize(size.width, size.height).catch(() => undefined);
      else logger?.debug("exec: ignored a resize that is not a terminal size", { bytes: frame.data.length });
    } else if (frame?.channel === CHANNEL.close && frame.data[0] === CHANNEL.stdin) session.endInput();
  };
  for (const data of early.splice(0)) receive(data);
  ws.on("close", () => session.endInput());
  const drained = Promise.all(
    [
      [session.stdout, CHANNEL.stdout],
      [session.stderr, CHANNEL.stderr],
    ].map(
      ([stream, channel]) =>
        new Promise<void>((resolve) => {
          const s = stream as NodeJS.ReadableStream;
          s.on("data", (chunk: Buffer) => send(channel as number, chunk));
          s.on("end", resolve);
          s.on("close", resolve);
          s.on("error", () => resolve());
        }),
    ),
  );
  const code = await session.exitCode();
  await drained;
  send(CHANNEL.error, exitStatus(code, command));
  ws.close(1000);
}

/**
 * The kubelet's streaming endpoints over WebSocket, for the API servers to relay `pods/exec`, `attach` and
 * `portforward`: each request carries a ticket the API signed for exactly its cluster, pod, container (or
 * port) and verb; exec runs in the newest instance of the container. Nothing a request does — a bad path,
 * a reset connection, a failing Docker — throws out of here.
 */
export function execUpgradeHandler(runtime: PodRuntime, options: StreamServerOptions) {
  const { ticketKey, logger } = options;
  const now = options.now ?? (() => new Date());
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => REMOTECOMMAND_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  const portForward = portForwardUpgrade(runtime);
  return async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // after 'upgrade' nothing else listens for the socket's errors; an unheard one would end the process
    socket.on("error", () => undefined);
    try {
      const url = new URL(req.url ?? "/", "http://agent");
      const auth = authorizeAgentRequest(ticketKey, req.headers.authorization, url.pathname, now());
      if (!auth.ok) {
        if (auth.status !== 404)
          logger?.warn("agent: refused a stream", { status: auth.status, reason: auth.reason });
        return refuse(
          socket,
          auth.status,
          auth.status === 404 ? "Not Found" : auth.status === 401 ? "Unauthorized" : "Forbidden",
        );
      }
      const { cluster, pod: uid, verb, target: name } = auth.request;
      if (verb === "portforward") return await portForward(req, socket, head, auth.request);
      if (verb !== "exec" && verb !== "attach") return refuse(socket, 404, "Not Found");
      const pods = await runtime.listPods({ [LABEL.cluster]: cluster, [LABEL.podUid]: uid });
      const target = latest(instancesOf(pods.get(uid), name));
      if (target?.state !== "running") return refuse(socket, 400, `container ${name} is not running`);
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on("error", (err) => logger?.debug("exec: client connection failed", { error: err.message }));
        bridge(ws, runtime, target.id, url, verb === "attach", logger).catch((err: Error) => {
          logger?.warn("exec: stream failed", { error: err.message });
          if (ws.readyState === ws.OPEN) ws.close(1011);
        });
      });
    } catch (err) {
      logger?.warn("agent: stream request failed", { error: (err as Error).message });
      refuse(socket, 500, "Internal Server Error");
    }
  };
}
