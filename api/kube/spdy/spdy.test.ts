import { Duplex, PassThrough } from "node:stream";
import { constants, createDeflate, deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { HEADER_DICTIONARY } from "./dictionary";
import {
  controlFrame,
  dataFrame,
  decodeHeaders,
  encodeHeaders,
  FLAG_FIN,
  FrameReader,
  ProtocolError,
  readFrames,
  TYPE,
  uint32,
} from "./frames";
import { MAX_STREAMS, SpdySession, type SpdyStream } from "./session";

describe("SPDY frames", () => {
  it("round-trips header blocks and splits frames across reads", () => {
    const headers = { streamtype: "data", port: "8080", requestid: "0" };
    expect(decodeHeaders(encodeHeaders(headers))).toEqual(headers);
    const bytes = Buffer.concat([
      controlFrame(TYPE.ping, 0, uint32(7)),
      dataFrame(3, FLAG_FIN, Buffer.from("hi")),
    ]);
    const first = readFrames(bytes.subarray(0, 13));
    expect(first.frames).toEqual([{ kind: "control", type: TYPE.ping, flags: 0, payload: uint32(7) }]);
    const second = readFrames(Buffer.concat([first.rest, bytes.subarray(13)]));
    expect(second.frames).toEqual([
      { kind: "data", streamId: 3, flags: FLAG_FIN, payload: Buffer.from("hi") },
    ]);
    expect(second.rest.length).toBe(0);
  });
});

describe("SpdySession", () => {
  it("hands over a stream opened with dictionary-compressed headers, replies, and carries data both ways", async () => {
    const toServer = new PassThrough();
    const fromServer = new PassThrough();
    const transport = Duplex.from({ readable: toServer, writable: fromServer });
    const opened: SpdyStream[] = [];
    new SpdySession(transport, (s) => opened.push(s));

    const block = deflateSync(encodeHeaders({ streamtype: "data", port: "80", requestid: "1" }), {
      dictionary: HEADER_DICTIONARY,
      flush: constants.Z_SYNC_FLUSH,
    });
    const synStream = Buffer.concat([uint32(1, 0), Buffer.from([0, 0]), block]);
    toServer.write(controlFrame(TYPE.synStream, 0, synStream));
    toServer.write(dataFrame(1, 0, Buffer.from("ping")));
    // headers inflate asynchronously: wait for them, however busy the machine
    await vi.waitFor(() => expect(opened[0]?.incoming.readableLength).toBe(4));

    const [stream] = opened;
    expect(stream?.headers).toEqual({ streamtype: "data", port: "80", requestid: "1" });
    expect(String(stream?.incoming.read())).toBe("ping");
    stream?.write(Buffer.from("pong"));
    stream?.end();
    await vi.waitFor(() => expect(fromServer.readableLength).toBeGreaterThan(0));
    await new Promise((r) => setTimeout(r, 50));

    const { frames } = readFrames(fromServer.read() as Buffer);
    const reply = frames[0];
    expect(reply).toMatchObject({ kind: "control", type: TYPE.synReply });
    if (reply?.kind !== "control") throw new Error("no reply");
    expect(reply.payload.readUInt32BE(0)).toBe(1);
    const replyHeaders = inflateSync(reply.payload.subarray(4), {
      dictionary: HEADER_DICTIONARY,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    expect(decodeHeaders(replyHeaders)).toEqual({});
    expect(frames.slice(1)).toEqual([
      { kind: "data", streamId: 1, flags: 0, payload: Buffer.from("pong") },
      { kind: "data", streamId: 1, flags: FLAG_FIN, payload: Buffer.alloc(0) },
    ]);
  });
});

/** A session over in-memory pipes: what the test writes is what the client sent. */
function harness() {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const transport = Duplex.from({ readable: toServer, writable: fromServer });
  const opened: SpdyStream[] = [];
  const session = new SpdySession(transport, (s) => opened.push(s));
  let closed = false;
  session.on("close", () => {
    closed = true;
  });
  const replies = () => readFrames((fromServer.read() as Buffer | null) ?? Buffer.alloc(0)).frames;
  return { toServer, opened, session, replies, isClosed: () => closed };
}

/** The client's side of the session's header compression: one zlib context for every block. */
function headerCompressor(): (headers: Record<string, string>) => Promise<Buffer> {
  const z = createDeflate({ dictionary: HEADER_DICTIONARY });
  let out: Buffer[] = [];
  z.on("data", (c: Buffer) => out.push(c));
  return (headers) =>
    new Promise((resolve) => {
      z.write(encodeHeaders(headers));
      z.flush(constants.Z_SYNC_FLUSH, () => {
        resolve(Buffer.concat(out));
        out = [];
      });
    });
}
const synStream = (id: number, block: Buffer, flags = 0) =>
  controlFrame(TYPE.synStream, flags, Buffer.concat([uint32(id, 0), Buffer.from([0, 0]), block]));

describe("SPDY parsing of hostile input", () => {
  it("refuses control frames too large to be headers, before buffering them", () => {
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(0x80030001);
    huge.writeUIntBE(0xffffff, 5, 3);
    expect(() => readFrames(huge)).toThrow(ProtocolError);
    expect(() => new FrameReader().push(huge)).toThrow(ProtocolError);
  });

  it("assembles a data frame from many small reads", () => {
    const payload = Buffer.alloc(200_000, 7);
    const bytes = Buffer.concat([dataFrame(5, FLAG_FIN, payload), controlFrame(TYPE.ping, 0, uint32(1))]);
    const reader = new FrameReader();
    const frames = [];
    for (let i = 0; i < bytes.length; i += 1000) frames.push(...reader.push(bytes.subarray(i, i + 1000)));
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ kind: "data", streamId: 5, flags: FLAG_FIN });
    expect((frames[0] as { payload: Buffer }).payload.equals(payload)).toBe(true);
    expect(frames[1]).toMatchObject({ kind: "control", type: TYPE.ping });
  });

  it("decodes only well-formed header blocks", () => {
    const good = encodeHeaders({ port: "80" });
    for (const bad of [
      Buffer.alloc(0),
      Buffer.from([0, 0]),
      uint32(1),
      uint32(0xffffffff),
      Buffer.concat([uint32(1, 0xffff), Buffer.from("x")]),
      good.subarray(0, good.length - 1),
    ]) {
      expect(() => decodeHeaders(bad)).toThrow(ProtocolError);
    }
    expect(decodeHeaders(good)).toEqual({ port: "80" });
  });

  it("never throws on random bytes", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (let run = 0; run < 200; run++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (run % 64) * 7 }, random));
      try {
        readFrames(bytes);
        decodeHeaders(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    }
  });
});

describe("SpdySession with a hostile peer", () => {
  it("closes the session on a header block that is not zlib, without throwing or emitting unheard errors", async () => {
    const h = harness();
    h.toServer.write(synStream(1, Buffer.from("definitely not deflate")));
    await vi.waitFor(() => expect(h.isClosed()).toBe(true));
    expect(h.opened).toHaveLength(0);
  });

  it("closes the session on a header block that inflates without bound", async () => {
    const h = harness();
    const bomb = deflateSync(Buffer.alloc(8 * 1024 * 1024), {
      dictionary: HEADER_DICTIONARY,
      flush: constants.Z_SYNC_FLUSH,
    });
    expect(bomb.length).toBeLessThan(64 * 1024);
    h.toServer.write(synStream(1, bomb));
    await vi.waitFor(() => expect(h.isClosed()).toBe(true));
    expect(h.opened).toHaveLength(0);
  });

  it("closes the session on truncated control frames and oversized ones", async () => {
    for (const bytes of [
      controlFrame(TYPE.synStream, 0, Buffer.from([0, 0, 0])),
      controlFrame(TYPE.rstStream, 0, Buffer.from([0])),
      controlFrame(TYPE.ping, 0, Buffer.alloc(0)),
      Buffer.from([0x80, 3, 0, 1, 0, 0xff, 0xff, 0xff]),
    ]) {
      const h = harness();
      h.toServer.write(bytes);
      await vi.waitFor(() => expect(h.isClosed()).toBe(true));
    }
  });

  it("ignores data after FIN and refuses a stream id twice, and carries on", async () => {
    const h = harness();
    const headerBlock = headerCompressor();
    h.toServer.write(synStream(1, await headerBlock({ streamtype: "data" })));
    h.toServer.write(dataFrame(1, FLAG_FIN, Buffer.from("last")));
    h.toServer.write(dataFrame(1, 0, Buffer.from("after the end")));
    h.toServer.write(dataFrame(99, 0, Buffer.from("no such stream")));
    h.toServer.write(synStream(1, await headerBlock({ streamtype: "again" })));
    h.toServer.write(synStream(3, await headerBlock({ streamtype: "error" })));
    await vi.waitFor(() => expect(h.opened.map((s) => s.headers.streamtype)).toEqual(["data", "error"]));
    expect(h.isClosed()).toBe(false);
    const [first] = h.opened;
    expect(String(first?.incoming.read())).toBe("last");
    const resets = h.replies().filter((f) => f.kind === "control" && f.type === TYPE.rstStream);
    expect(resets).toHaveLength(1);
  });

  it("refuses streams beyond the limit and forgets streams closed both ways", async () => {
    const h = harness();
    const headerBlock = headerCompressor();
    for (let i = 0; i < MAX_STREAMS + 5; i++)
      h.toServer.write(synStream(2 * i + 1, await headerBlock({ n: String(i) })));
    await vi.waitFor(() => expect(h.opened).toHaveLength(MAX_STREAMS));
    for (const s of h.opened) {
      s.end();
      h.toServer.write(dataFrame(s.id, FLAG_FIN, Buffer.alloc(0)));
    }
    h.toServer.write(synStream(100_001, await headerBlock({ n: "later" })));
    await vi.waitFor(() => expect(h.opened.at(-1)?.headers.n).toBe("later"));
    expect(h.isClosed()).toBe(false);
  });
});
