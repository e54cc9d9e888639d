import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket } from "ws";
import {
  CHANNEL,
  closeFrame,
  decodeFrame,
  encodeFrame,
  failureStatus,
  REMOTECOMMAND_V4,
  REMOTECOMMAND_V5,
} from "../../core/agent-protocol";
import { kubeErrors } from "../../core/k8s/errors";
import { SpdySession, type SpdyStream } from "./spdy/session";

/** What kubectl ≤ 1.29 speaks over SPDY; the agent's leg is always v5, for its close message. */
const VERSION = REMOTECOMMAND_V4;
const STREAMS_TIMEOUT_MS = 30_000;

/** The streams kubectl opens for these options: error always, the others as asked. */
function expectedStreams(query: URLSearchParams): string[] {
  const on = (key: string) => query.get(key) === "true" || query.get(key) === "1";
  return [
    "error",
    ...(on("stdin") ? ["stdin"] : []),
    ...(on("stdout") ? ["stdout"] : []),
    ...(on("stderr") && !on("tty") ? ["stderr"] : []),
    ...(on("tty") ? ["resize"] : []),
  ];
}

/** The agent's endpoint for this exec, and the ticket that lets the API in. */
export interface AgentEndpoint {
  url: URL;
  headers: { authorization: string };
}

function bridge(streams: Record<string, SpdyStream>, agent: AgentEndpoint, session: SpdySession): void {
  const upstream = new WebSocket(agent.url, REMOTECOMMAND_V5, { headers: agent.headers });
  let finished = false;
  const finish = (message?: string) => {
    if (finished) return;
    finished = true;
    if (message) streams.error?.write(Buffer.from(failureStatus(message)));
    for (const s of Object.values(streams)) s.end();
    session.endWhenFlushed();
  };
  upstream.once("unexpected-response", (_req, res) => {
    let text = "";
    res.on("data", (c: Buffer) => {
      text += c;
    });
    res.on("error", () => finish("the node refused the exec"));
    res.on("end", () => finish(text.trim() || "the node refused the exec"));
  });
  upstream.on("error", (err) => finish(err.message));
  // the client went away: the agent's end of the exec goes too
  session.on("close", () => {
    if (upstream.readyState !== upstream.CLOSED) upstream.terminate();
  });
  upstream.once("open", () => {
    const send = (data: Buffer) => upstream.readyState === upstream.OPEN && upstream.send(data);
    streams.stdin?.incoming.on("data", (d: Buffer) => send(encodeFrame(CHANNEL.stdin, d)));
    streams.stdin?.incoming.on("end", () => send(closeFrame(CHANNEL.stdin)));
    const resizes = resizeSplitter();
    streams.resize?.incoming.on("data", (d: Buffer) => {
      for (const size of resizes(d)) send(encodeFrame(CHANNEL.resize, size));
    });
    const outputs: Record<number, SpdyStream | undefined> = {
      [CHANNEL.stdout]: streams.stdout,
      [CHANNEL.stderr]: streams.stderr,
      [CHANNEL.error]: streams.error,
    };
    upstream.on("message", (message: Buffer) => {
      const frame = decodeFrame(message);
      if (frame) outputs[frame.channel]?.write(frame.data);
    });
    upstream.on("close", () => finish());
  });
}

/** The longest run of resize input kept while waiting for its closing brace; a TerminalSize is tiny. */
const MAX_RESIZE_PENDING = 4096;

/**
 * Cuts the resize stream (JSON TerminalSize objects one after another, as kubectl writes them) into
 * objects. Only the cutting happens here; the agent parses, and ignores what does not parse. Input that
 * never closes an object is dropped rather than kept growing.
 */
export function resizeSplitter(): (chunk: Buffer) => string[] {
  let pending = "";
  return (chunk) => {
    pending += chunk.toString();
    const sizes = pending.match(/\{[^{}]*\}/g) ?? [];
    pending = pending.slice(pending.lastIndexOf("}") + 1);
    if (pending.length > MAX_RESIZE_PENDING) pending = "";
    return sizes;
  };
}

/**
 * `pods/exec` and `attach` over SPDY/3.1 (remotecommand v4), what kubectl ≤ 1.29 speaks: the SPDY streams
 * are mapped onto the channels of the node agent's WebSocket endpoint, so the agent speaks one protocol.
 */
export function acceptExecSpdy(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  agent: AgentEndpoint,
  query: URLSearchParams,
): void {
  const versions = String(req.headers["x-stream-protocol-version"] ?? "")
    .split(",")
    .map((v) => v.trim());
  if ((req.headers.upgrade ?? "").toLowerCase() !== "spdy/3.1" || !versions.includes(VERSION))
    throw kubeErrors.badRequest(
      `unable to upgrade: supported protocols are ${VERSION} over SPDY/3.1 and v5/v4 over WebSocket`,
    );
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${VERSION}\r\n\r\n`,
  );
  if (head.length) socket.unshift(head);
  const expected = expectedStreams(query);
  const streams: Record<string, SpdyStream> = {};
  const timer = setTimeout(() => session.close(), STREAMS_TIMEOUT_MS);
  const session = new SpdySession(socket, (stream) => {
    const type = stream.headers.streamtype ?? "";
    if (!expected.includes(type) || streams[type]) return stream.reset();
    streams[type] = stream;
    if (expected.every((t) => streams[t])) {
      clearTimeout(timer);
      bridge(streams, agent, session);
    }
  });
  session.on("error", () => undefined);
  session.on("close", () => clearTimeout(timer));
}
