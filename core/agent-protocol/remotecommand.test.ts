import { describe, expect, it } from "vitest";
import {
  CHANNEL,
  closeFrame,
  decodeFrame,
  encodeFrame,
  exitStatus,
  failureStatus,
  parseResize,
} from "./remotecommand";

describe("remotecommand framing", () => {
  it("prefixes the channel byte", () => {
    expect([...encodeFrame(1, "hi")]).toEqual([1, 104, 105]);
    expect([...encodeFrame(CHANNEL.stdin, Buffer.from([0, 255]))]).toEqual([0, 0, 255]);
  });

  it("decodes what it encodes, on every channel, and nothing from an empty message", () => {
    for (const channel of Object.values(CHANNEL)) {
      expect(decodeFrame(encodeFrame(channel, "body"))).toEqual({ channel, data: Buffer.from("body") });
      expect(decodeFrame(encodeFrame(channel, ""))).toEqual({ channel, data: Buffer.alloc(0) });
    }
    expect(decodeFrame(Buffer.alloc(0))).toBeUndefined();
    expect(decodeFrame(Buffer.from([9, 1]))).toEqual({ channel: 9, data: Buffer.from([1]) });
  });

  it("closes stdin with v5's close message", () => {
    expect([...closeFrame(CHANNEL.stdin)]).toEqual([255, 0]);
    expect(decodeFrame(closeFrame(CHANNEL.stdin))).toEqual({
      channel: CHANNEL.close,
      data: Buffer.from([0]),
    });
  });

  it("reports exit codes the way kubectl reads them", () => {
    expect(JSON.parse(exitStatus(0, ["true"]))).toEqual({ metadata: {}, status: "Success" });
    expect(JSON.parse(exitStatus(3, ["sh", "-c", "exit 3"]))).toMatchObject({
      status: "Failure",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
  });

  it("reports a failure as a Status, with a reason when one is given", () => {
    expect(failureStatus("gone")).toBe('{"metadata":{},"status":"Failure","message":"gone","code":500}');
    expect(JSON.parse(failureStatus("no such container", "InternalError"))).toEqual({
      metadata: {},
      status: "Failure",
      message: "no such container",
      reason: "InternalError",
      code: 500,
    });
  });
});

describe("resize messages", () => {
  it("read kubectl's TerminalSize, with keys in any case as Go decodes them", () => {
    expect(parseResize(Buffer.from('{"Width":80,"Height":24}'))).toEqual({ width: 80, height: 24 });
    expect(parseResize('{"width":132,"height":43}')).toEqual({ width: 132, height: 43 });
    expect(parseResize('{"Width":65535,"Height":1}')).toEqual({ width: 65535, height: 1 });
  });

  it("are ignored, never thrown, when they are not one", () => {
    for (const bad of [
      "{not json",
      "",
      "null",
      "[]",
      "80",
      '"x"',
      "{}",
      '{"Width":0,"Height":24}',
      '{"Width":-1,"Height":24}',
      '{"Width":65536,"Height":24}',
      '{"Width":1.5,"Height":24}',
      '{"Width":"80","Height":"24"}',
      '{"__proto__":{"Width":80},"Height":24}',
      "\u0000\u00ff",
    ]) {
      expect(parseResize(Buffer.from(bad))).toBeUndefined();
    }
  });
});
