import { EventEmitter } from "node:events";
import { type Duplex, PassThrough } from "node:stream";
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from "node:zlib";
import { HEADER_DICTIONARY } from "./dictionary";
import {
  controlFrame,
  dataFrame,
  decodeHeaders,
  encodeHeaders,
  FLAG_FIN,
  type Frame,
  FrameReader,
  ProtocolError,
  RST,
  TYPE,
  uint32,
} from "./frames";

/** Data frames we send are cut to this size, well under the protocol's 16 MiB. */
const MAX_DATA = 32 * 1024;
/** The largest header block accepted once inflated: kubectl's are a few hundred bytes. */
const MAX_HEADER_BLOCK = 256 * 1024;
/** Streams a peer may keep open at once; more are refused (RST_STREAM REFUSED_STREAM). */
export const MAX_STREAMS = 256;

/**
 * One side of a zlib stream that lasts the whole session: SPDY compresses every header block of a direction
 * with one shared context, each block ending at a sync flush. Once the context fails (a block that is not
 * zlib, or inflates past `limit`) every later block fails too, without throwing: the session then ends.
 */
function blockCodec(
  z: Inflate | Deflate,
  limit = Number.POSITIVE_INFINITY,
): (input: Buffer) => Promise<Buffer> {
  let out: Buffer[] = [];
  let size = 0;
  let failure: Error | undefined;
  /** Ends the block under way, if any: at its flush, or at the context's failure. */
  let settle: ((err?: Error) => void) | undefined;
  const fail = (err: Error) => {
    if (!failure) {
      failure = err;
      z.destroy();
    }
    settle?.(failure);
  };
  z.on("error", fail);
  z.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) fail(new ProtocolError(`header block inflates past ${limit} bytes`));
    else out.push(chunk);
  });
  const run = (input: Buffer) =>
    new Promise<Buffer>((resolve, reject) => {
      if (failure) return reject(failure);
      settle = (err) => {
        settle = undefined;
        const block = Buffer.concat(out);
        out = [];
        size = 0;
        const error = err ?? failure;
        if (error) reject(error);
        else resolve(block);
      };
      z.write(input);
      z.flush(constants.Z_SYNC_FLUSH, () => settle?.());
    });
  let last: Promise<unknown> = Promise.resolve();
  return (input) => {
    const next = last.then(
      () => run(input),
      () => run(input),
    );
    last = next;
    return next;
  };
}

/** A stream the peer opened: its headers, what it sends, and our way back. */
export interface SpdyStream {
  id: number;
  headers: Record<string, string>;
  /** The peer's data; ends when the peer half-closes (FIN) or resets. */
  incoming: PassThrough;
  write(data: Buffer): void;
  /** Half-closes our side. */
  end(): void;
  reset(status?: number): void;
}

/** What the session knows of a stream besides what it hands out. */
interface StreamState {
  stream: SpdyStream;
  /** The peer sent FIN: data after it is a protocol error, and is dropped. */
  remoteClosed: boolean;
  /** We sent FIN. */
  localClosed: boolean;
}

/**
 * The server side of a SPDY/3 session over any duplex (a raw upgraded socket, or a WebSocket tunnel): the
 * peer opens streams, each is answered with an empty SYN_REPLY and handed to `onStream`. Flow control is
 * not enforced (neither is it by the Go client kubectl uses); PINGs are answered.
 *
 * Everything here comes from the client: a malformed or oversized frame, a header block that does not
 * inflate, data on a closed stream, never throws out of a listener. A broken session emits 'error' (when
 * anyone listens) and closes; a misbehaving stream is reset; the process carries on.
 */
export class SpdySession extends EventEmitter {
  private readonly streams = new Map<number, StreamState>();
  private readonly inflate = blockCodec(createInflate({ dictionary: HEADER_DICTIONARY }), MAX_HEADER_BLOCK);
  private readonly deflate = blockCodec(createDeflate({ dictionary: HEADER_DICTIONARY }));
  private readonly reader = new FrameReader();
  private handling: Promise<void> = Promise.resolve();
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly transport: Duplex,
    private readonly onStream: (stream: SpdyStream) => void,
  ) {
    super();
    transport.on("data", (chunk: Buffer) => {
      if (this.closed) return;
      let frames: Frame[];
      try {
        frames = this.reader.push(chunk);
      } catch (e) {
        return this.fail(e as Error);
      }
      for (const frame of frames)
        this.handling = this.handling
          .then(() => (this.closed ? undefined : this.handle(frame)))
          .catch((e: Error) => this.fail(e));
    });
    transport.on("close", () => this.close());
    transport.on("end", () => this.close());
    transport.on("error", () => this.close());
  }

  private fail(err: Error): void {
    if (this.closed) return;
    if (this.listenerCount("error")) this.emit("error", err);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.stream.incoming.end();
    this.streams.clear();
    this.transport.destroy();
    this.emit("close");
  }

  /** Ends the connection once every frame queued so far is written. */
  endWhenFlushed(): void {
    this.sending = this.sending.then(() => {
      this.transport.end();
    });
  }

  private send(build: () => Buffer | Promise<Buffer>): void {
    this.sending = this.sending
      .then(async () => {
        if (!this.closed) this.transport.write(await build());
      })
      .catch((e: Error) => this.fail(e));
  }

  private async handle(frame: Frame): Promise<void> {
    if (frame.kind === "data") {
      const state = this.streams.get(frame.streamId);
      if (!state || state.remoteClosed) return;
      if (frame.payload.length) state.stream.incoming.write(frame.payload);
      if (frame.flags & FLAG_FIN) this.remoteClose(state);
      return;
    }
    const need = (bytes: number) => {
      if (frame.payload.length < bytes)
        throw new ProtocolError(`control frame ${frame.type} of ${frame.payload.length} bytes is too short`);
    };
    switch (frame.type) {
      case TYPE.synStream: {
        need(10);
        const id = frame.payload.readUInt32BE(0) & 0x7fffffff;
        // inflated whatever becomes of the stream, to keep the shared context in step
        const headers = decodeHeaders(await this.inflate(frame.payload.subarray(10)));
        if (this.closed) return;
        if (id === 0 || this.streams.has(id)) return this.refuse(id, RST.protocolError);
        if (this.streams.size >= MAX_STREAMS) return this.refuse(id, RST.refusedStream);
        const state = this.open(id, headers);
        if (frame.flags & FLAG_FIN) this.remoteClose(state);
        this.onStream(state.stream);
        return;
      }
      case TYPE.headers:
        need(4);
        // keeps the shared decompression context in step; nothing here needs late headers
        await this.inflate(frame.payload.subarray(4));
        return;
      case TYPE.rstStream: {
        need(8);
        const id = frame.payload.readUInt32BE(0) & 0x7fffffff;
        const state = this.streams.get(id);
        this.streams.delete(id);
        state?.stream.incoming.destroy();
        return;
      }
      case TYPE.ping:
        need(4);
        this.send(() => controlFrame(TYPE.ping, 0, frame.payload.subarray(0, 4)));
        return;
      case TYPE.goAway:
        this.close();
        return;
      default:
        // SETTINGS and WINDOW_UPDATE need no answer
        return;
    }
  }

  private refuse(id: number, status: number): void {
    if (id !== 0) this.send(() => controlFrame(TYPE.rstStream, 0, uint32(id, status)));
  }

  private remoteClose(state: StreamState): void {
    state.remoteClosed = true;
    state.stream.incoming.end();
    this.forgetIfDone(state);
  }

  /** A stream closed both ways is forgotten, so a long session does not keep every stream it ever had. */
  private forgetIfDone(state: StreamState): void {
    if (state.remoteClosed && state.localClosed && this.streams.get(state.stream.id) === state)
      this.streams.delete(state.stream.id);
  }

  private open(id: number, headers: Record<string, string>): StreamState {
    const incoming = new PassThrough();
    // a consumer that destroys its side, or data racing a reset, must not surface as an unhandled error
    incoming.on("error", () => undefined);
    const stream: SpdyStream = {
      id,
      headers,
      incoming,
      write: (data) => {
        if (state.localClosed) return;
        for (let i = 0; i < data.length; i += MAX_DATA) {
          const chunk = data.subarray(i, i + MAX_DATA);
          this.send(() => dataFrame(id, 0, chunk));
        }
      },
      end: () => {
        if (state.localClosed) return;
        state.localClosed = true;
        this.send(() => dataFrame(id, FLAG_FIN, Buffer.alloc(0)));
        this.forgetIfDone(state);
      },
      reset: (status = RST.cancel) => {
        state.localClosed = true;
        state.remoteClosed = true;
        if (this.streams.get(id) === state) this.streams.delete(id);
        incoming.end();
        this.send(() => controlFrame(TYPE.rstStream, 0, uint32(id, status)));
      },
    };
    const state: StreamState = { stream, remoteClosed: false, localClosed: false };
    this.streams.set(id, state);
    this.send(async () =>
      controlFrame(TYPE.synReply, 0, Buffer.concat([uint32(id), await this.deflate(encodeHeaders({}))])),
    );
    return state;
  }
}
