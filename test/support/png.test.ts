import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { countColour, decodePng, isColour, rgb } from "./png";

function crcTable() {
  return Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
}
const TABLE = crcTable();
const crc = (buf: Buffer) => {
  let c = 0xffffffff;
  for (const b of buf) c = (TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type: string, body: Buffer) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "latin1");
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, tail]);
}

/** A PNG of `rows` (RGBA), each row filtered with the filter of its index modulo 5, as an encoder may. */
function encode(rows: number[][][]): Buffer {
  const width = rows[0]?.length ?? 0;
  const bpp = 4;
  const flat = rows.map((r) => r.flat());
  const paeth = (a: number, b: number, c: number) => {
    const p = a + b - c;
    const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  };
  const filtered = flat.map((row, y) => {
    const filter = y % 5;
    const prev = flat[y - 1];
    const out = row.map((x, i) => {
      const a = i >= bpp ? (row[i - bpp] ?? 0) : 0;
      const b = prev?.[i] ?? 0;
      const c = i >= bpp ? (prev?.[i - bpp] ?? 0) : 0;
      const p = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter] ?? 0;
      return (x - p) & 0xff;
    });
    return Buffer.from([filter, ...out]);
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(rows.length, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(filtered))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("the browser suites' PNG reader", () => {
  it("reads back every pixel whatever filter each row used", () => {
    const rows = Array.from({ length: 10 }, (_, y) =>
      Array.from({ length: 7 }, (_, x) => [
        (x * 37 + y * 11) & 0xff,
        (x * y * 13) & 0xff,
        (200 - x * y) & 0xff,
        255,
      ]),
    );
    const image = decodePng(encode(rows));
    expect([image.width, image.height]).toEqual([7, 10]);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 7; x++) expect(image.pixel(x, y)).toEqual(rows[y]?.[x]);
  });

  it("finds and counts a colour, give or take a little", () => {
    const red = [...rgb("#b91c1c"), 255];
    const image = decodePng(
      encode([
        [red, [0, 0, 0, 255]],
        [[187, 30, 25, 255], red],
      ]),
    );
    expect(isColour(image.pixel(0, 1), rgb("#b91c1c"))).toBe(true);
    expect(countColour(image, rgb("#b91c1c"))).toBe(3);
    expect(countColour(image, rgb("#15803d"))).toBe(0);
    expect(() => decodePng(Buffer.from("not a png"))).toThrow("not a PNG");
  });
});
