import { Duplex, PassThrough } from "node:stream";
import { constants, deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { HEADER_DICTIONARY } from "./dictionary";
import {
  controlFrame,
  dataFrame,
  decodeHeaders,
  encodeHeaders,
  FLAG_FIN,
  readFrames,
  TYPE,
  uint32,
} from "./frames";
import { SpdySession, type SpdyStream } from "./session";

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
    await new Promise((r) => setTimeout(r, 50));

    const [stream] = opened;
    expect(stream?.headers).toEqual({ streamtype: "data", port: "80", requestid: "1" });
    expect(String(stream?.incoming.read())).toBe("ping");
    stream?.write(Buffer.from("pong"));
    stream?.end();
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
