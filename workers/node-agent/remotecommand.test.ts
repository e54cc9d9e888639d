import { describe, expect, it } from "vitest";
import { exitStatus, frame, parseResize } from "./remotecommand";

describe("remotecommand framing", () => {
  it("prefixes the channel byte", () => {
    expect([...frame(1, "hi")]).toEqual([1, 104, 105]);
  });

  it("reports exit codes the way kubectl reads them", () => {
    expect(JSON.parse(exitStatus(0, ["true"]))).toEqual({ metadata: {}, status: "Success" });
    expect(JSON.parse(exitStatus(3, ["sh", "-c", "exit 3"]))).toMatchObject({
      status: "Failure",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
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
