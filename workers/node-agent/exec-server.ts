import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { safeEqual } from "../../core/tokens";
import { instancesOf, latest } from "./plan";
import { PORT_FORWARD_PATH, portForwardUpgrade } from "./port-forward-server";
import { CHANNEL, exitStatus, failureStatus, frame, PROTOCOLS } from "./remotecommand";
import { LABEL, type PodRuntime } from "./runtime";

const STREAM_PATH = /^\/pods\/([^/]+)\/([^/]+)\/containers\/([^/]+)\/(exec|attach)$/;

function refuse(socket: Duplex, status: number, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`,
  );
}

/** Bridges one WebSocket to one `docker exec` (or attach), in the remotecommand channel format. */
async function bridge(
  ws: WebSocket,
  runtime: PodRuntime,
  containerId: string,
  url: URL,
  attach: boolean,
): Promise<void> {
  const command = url.searchParams.getAll("command");
  const stdin = url.searchParams.get("stdin") === "true";
  const tty = url.searchParams.get("tty") === "true";
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(channel, data));
  };
  // frames can arrive while docker is still starting the exec: hold them until it runs
  const early: Buffer[] = [];
  let onFrame = (data: Buffer) => {
    early.push(data);
  };
  ws.on("message", (data: Buffer) => onFrame(data));
  let session: Awaited<ReturnType<PodRuntime["exec"]>>;
  try {
    session = attach
      ? await runtime.attach(containerId, { stdin, tty })
      : await runtime.exec(containerId, { command, stdin, tty });
  } catch (err) {
    send(CHANNEL.error, failureStatus((err as Error).message));
    ws.close(1000);
    return;
  }
  onFrame = (data: Buffer) => {
    const channel = data[0];
    const body = data.subarray(1);
    if (channel === CHANNEL.stdin) session.write(body);
    else if (channel === CHANNEL.resize) {
      const size = JSON.parse(body.toString() || "{}") as { Width?: number; Height?: number };
      if (size.Width && size.Height) void session.resize(size.Width, size.Height);
    } else if (channel === CHANNEL.close && body[0] === CHANNEL.stdin) session.endInput();
  };
  for (const data of early.splice(0)) onFrame(data);
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
 * `portforward`: authenticated by the node's agent token; exec runs in the newest instance of the container.
 */
export function execUpgradeHandler(runtime: PodRuntime, token: string) {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  const portForward = portForwardUpgrade(runtime);
  return async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://agent");
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    if (!safeEqual(given, token)) return refuse(socket, 401, "Unauthorized");
    const forward = PORT_FORWARD_PATH.exec(url.pathname);
    if (forward) return portForward(req, socket, head, forward);
    const match = STREAM_PATH.exec(url.pathname);
    if (!match) return refuse(socket, 404, "Not Found");
    const [, cluster = "", uid = "", name = "", verb = "exec"] = match.map(decodeURIComponent);
    const pods = await runtime.listPods({ [LABEL.cluster]: cluster, [LABEL.podUid]: uid });
    const target = latest(instancesOf(pods.get(uid), name));
    if (target?.state !== "running") return refuse(socket, 400, `container ${name} is not running`);
    wss.handleUpgrade(req, socket, head, (ws) => void bridge(ws, runtime, target.id, url, verb === "attach"));
  };
}
