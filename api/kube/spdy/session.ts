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
  RST,
  readFrames,
  TYPE,
  uint32,
} from "./frames";

/** Data frames we send are cut to this size, well under the protocol's 16 MiB. */
const MAX_DATA = 32 * 1024;

/**
 * One side of a zlib stream that lasts the whole session: SPDY compresses every header block of a direction
 * with one shared context, each block ending at a sync flush.
 */
function blockCodec(z: Inflate | Deflate): (input: Buffer) => Promise<Buffer> {
  let out: Buffer[] = [];
  z.on("data", (chunk: Buffer) => out.push(chunk));
  let last: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
  return (input) => {
    last = last.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          z.once("error", reject);
          z.write(input);
          z.flush(constants.Z_SYNC_FLUSH, () => {
            z.off("error", reject);
            const block = Buffer.concat(out);
            out = [];
            resolve(block);
          });
        }),
    );
    return last;
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

/**
 * The server side of a SPDY/3 session over any duplex (a raw upgraded socket, or a WebSocket tunnel): the
 * peer opens streams, each is answered with an empty SYN_REPLY and handed to `onStream`. Flow control is
 * not enforced (neither is it by the Go client kubectl uses); PINGs are answered.
 */
export class SpdySession extends EventEmitter {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate = blockCodec(createInflate({ dictionary: HEADER_DICTIONARY }));
  private readonly deflate = blockCodec(createDeflate({ dictionary: HEADER_DICTIONARY }));
  private buffered: Buffer = Buffer.alloc(0);
  private handling: Promise<void> = Promise.resolve();
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly transport: Duplex,
    private readonly onStream: (stream: SpdyStream) => void,
  ) {
    super();
    transport.on("data", (chunk: Buffer) => {
      const { frames, rest } = readFrames(Buffer.concat([this.buffered, chunk]));
      this.buffered = rest;
      for (const frame of frames)
        this.handling = this.handling.then(() => this.handle(frame)).catch((e) => this.fail(e));
    });
    transport.on("close", () => this.close());
    transport.on("end", () => this.close());
    transport.on("error", () => this.close());
  }

  private fail(err: Error): void {
    this.emit("error", err);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.incoming.end();
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
      const stream = this.streams.get(frame.streamId);
      if (!stream) return;
      if (frame.payload.length) stream.incoming.write(frame.payload);
      if (frame.flags & FLAG_FIN) stream.incoming.end();
      return;
    }
    switch (frame.type) {
      case TYPE.synStream: {
        const id = frame.payload.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaders(await this.inflate(frame.payload.subarray(10)));
        const stream = this.open(id, headers);
        if (frame.flags & FLAG_FIN) stream.incoming.end();
        this.onStream(stream);
        return;
      }
      case TYPE.headers:
        // keeps the shared decompression context in step; nothing here needs late headers
        await this.inflate(frame.payload.subarray(4));
        return;
      case TYPE.rstStream: {
        const id = frame.payload.readUInt32BE(0) & 0x7fffffff;
        this.streams.get(id)?.incoming.destroy();
        this.streams.delete(id);
        return;
      }
      case TYPE.ping:
        this.send(() => controlFrame(TYPE.ping, 0, frame.payload));
        return;
      case TYPE.goAway:
        this.close();
        return;
      default:
        // SETTINGS and WINDOW_UPDATE need no answer
        return;
    }
  }

  private open(id: number, headers: Record<string, string>): SpdyStream {
    const incoming = new PassThrough();
    let ended = false;
    const stream: SpdyStream = {
      id,
      headers,
      incoming,
      write: (data) => {
        for (let i = 0; i < data.length; i += MAX_DATA) {
          const chunk = data.subarray(i, i + MAX_DATA);
          this.send(() => dataFrame(id, 0, chunk));
        }
      },
      end: () => {
        if (ended) return;
        ended = true;
        this.send(() => dataFrame(id, FLAG_FIN, Buffer.alloc(0)));
      },
      reset: (status = RST.cancel) => {
        this.streams.delete(id);
        this.send(() => controlFrame(TYPE.rstStream, 0, uint32(id, status)));
      },
    };
    this.streams.set(id, stream);
    this.send(async () =>
      controlFrame(TYPE.synReply, 0, Buffer.concat([uint32(id), await this.deflate(encodeHeaders({}))])),
    );
    return stream;
  }
}
