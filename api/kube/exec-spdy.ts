import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket } from "ws";
import { kubeErrors } from "../../core/k8s/errors";
import { SpdySession, type SpdyStream } from "./spdy/session";

const VERSION = "v4.channel.k8s.io";
const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;
const STREAMS_TIMEOUT_MS = 30_000;

const frame = (channel: number, body: Buffer) => Buffer.concat([Buffer.from([channel]), body]);

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

function bridge(streams: Record<string, SpdyStream>, url: URL, token: string, session: SpdySession): void {
  const upstream = new WebSocket(url, "v5.channel.k8s.io", { headers: { authorization: `Bearer ${token}` } });
  const finish = (message?: string) => {
    if (message)
      streams.error?.write(
        Buffer.from(JSON.stringify({ metadata: {}, status: "Failure", message, code: 500 })),
      );
    for (const s of Object.values(streams)) s.end();
    session.endWhenFlushed();
  };
  upstream.once("unexpected-response", (_req, res) => {
    let text = "";
    res.on("data", (c: Buffer) => {
      text += c;
    });
    res.on("end", () => finish(text.trim() || "the node refused the exec"));
  });
  upstream.once("error", (err) => finish(err.message));
  upstream.once("open", () => {
    const send = (data: Buffer) => upstream.readyState === upstream.OPEN && upstream.send(data);
    streams.stdin?.incoming.on("data", (d: Buffer) => send(frame(CHANNEL.stdin, d)));
    streams.stdin?.incoming.on("end", () => send(Buffer.from([CHANNEL.close, CHANNEL.stdin])));
    let sizes = "";
    streams.resize?.incoming.on("data", (d: Buffer) => {
      sizes += d.toString();
      for (const size of sizes.match(/\{[^{}]*\}/g) ?? []) send(frame(CHANNEL.resize, Buffer.from(size)));
      sizes = sizes.slice(sizes.lastIndexOf("}") + 1);
    });
    upstream.on("message", (data: Buffer) => {
      const target = {
        [CHANNEL.stdout]: streams.stdout,
        [CHANNEL.stderr]: streams.stderr,
        [CHANNEL.error]: streams.error,
      }[data[0] as number];
      target?.write(data.subarray(1));
    });
    upstream.on("close", () => finish());
  });
}

/**
 * `pods/exec` and `attach` over SPDY/3.1 (remotecommand v4), what kubectl ≤ 1.29 speaks: the SPDY streams
 * are mapped onto the channels of the node agent's WebSocket endpoint, so the agent speaks one protocol.
 */
export function acceptExecSpdy(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  upstream: { url: URL; token: string },
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
      bridge(streams, upstream.url, upstream.token, session);
    }
  });
  session.on("error", () => undefined);
  session.on("close", () => clearTimeout(timer));
}
