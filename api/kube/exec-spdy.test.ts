import { describe, expect, it } from "vitest";
import { resizeSplitter } from "./exec-spdy";

describe("the SPDY resize stream", () => {
  it("is cut into TerminalSize objects however it is chunked", () => {
    const split = resizeSplitter();
    expect(split(Buffer.from('{"Width":80,"Hei'))).toEqual([]);
    expect(split(Buffer.from('ght":24}{"Width":100,"Height":30}{'))).toEqual([
      '{"Width":80,"Height":24}',
      '{"Width":100,"Height":30}',
    ]);
    expect(split(Buffer.from('"Width":1,"Height":2}'))).toEqual(['{"Width":1,"Height":2}']);
  });

  it("passes garbage on as it comes, for the agent to ignore, and never keeps an unclosed object growing", () => {
    const split = resizeSplitter();
    expect(split(Buffer.from("{not json}"))).toEqual(["{not json}"]);
    expect(split(Buffer.from(`{${"x".repeat(10_000)}`))).toEqual([]);
    expect(split(Buffer.from('}{"Width":5,"Height":6}'))).toEqual(['{"Width":5,"Height":6}']);
  });
});
