import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { describe, expect, it } from "vitest";
import { gzippedTar } from "./archive";

async function unpack(gz: Buffer): Promise<Record<string, { content: string; mode: number | undefined }>> {
  const out: Record<string, { content: string; mode: number | undefined }> = {};
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        out[header.name] = { content: Buffer.concat(chunks).toString(), mode: header.mode };
        next();
      });
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  ex.end(gunzipSync(gz));
  await done;
  return out;
}

describe("gzippedTar", () => {
  it("packs each file under its name, readable by its owner only", async () => {
    const gz = await gzippedTar([
      { name: "alice.yaml", content: "kind: Config\n" },
      { name: "bob.yaml", content: "kind: Config\nb\n" },
    ]);
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(await unpack(gz)).toEqual({
      "alice.yaml": { content: "kind: Config\n", mode: 0o600 },
      "bob.yaml": { content: "kind: Config\nb\n", mode: 0o600 },
    });
  });
});
