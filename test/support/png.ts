import { inflateSync } from "node:zlib";

/** A decoded PNG: its size and its pixels, RGBA. */
export interface Image {
  width: number;
  height: number;
  /** The pixel at (x, y): [r, g, b, a]. */
  pixel(x: number, y: number): [number, number, number, number];
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes per pixel of the 8-bit colour types this reader knows: greyscale, RGB, grey+alpha, RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Reads a PNG as Chromium writes its screenshots (8 bits a channel, not interlaced, grey or RGB with or
 * without alpha): the chunks, the inflated image data, each row unfiltered (None, Sub, Up, Average, Paeth).
 */
export function decodePng(png: Buffer): Image {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG");
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = [body[8], body[9] ?? -1, body[10], body[11], body[12]];
      channels = CHANNELS[colour] ?? 0;
      if (depth !== 8 || !channels || interlace !== 0)
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
    } else if (type === "IDAT") data.push(body);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (pixels[out + i - channels] ?? 0) : 0;
      const b = y > 0 ? (pixels[out - stride + i] ?? 0) : 0;
      const c = y > 0 && i >= channels ? (pixels[out - stride + i - channels] ?? 0) : 0;
      const x = row[i] ?? 0;
      const predicted =
        filter === 0
          ? 0
          : filter === 1
            ? a
            : filter === 2
              ? b
              : filter === 3
                ? (a + b) >> 1
                : filter === 4
                  ? paeth(a, b, c)
                  : -1;
      if (predicted < 0) throw new Error(`row ${y}: unknown filter ${filter}`);
      pixels[out + i] = (x + predicted) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel(x, y) {
      const at = y * stride + x * channels;
      const v = (i: number) => pixels[at + i] ?? 0;
      if (channels === 1) return [v(0), v(0), v(0), 255];
      if (channels === 2) return [v(0), v(0), v(0), v(1)];
      return [v(0), v(1), v(2), channels === 4 ? v(3) : 255];
    },
  };
}

/** "#b91c1c" as [185, 28, 28]. */
export function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.replace(/^#/, ""), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** Whether a pixel is that colour, give or take `tolerance` on each channel. */
export function isColour(pixel: readonly number[], colour: readonly number[], tolerance = 6): boolean {
  return colour.every((c, i) => Math.abs((pixel[i] ?? -999) - c) <= tolerance);
}

/** How many pixels of a rectangle (the whole image by default) are that colour. */
export function countColour(
  image: Image,
  colour: readonly number[],
  area = { x: 0, y: 0, width: image.width, height: image.height },
): number {
  let n = 0;
  for (let y = Math.max(0, area.y); y < Math.min(image.height, area.y + area.height); y++)
    for (let x = Math.max(0, area.x); x < Math.min(image.width, area.x + area.width); x++)
      if (isColour(image.pixel(x, y), colour)) n++;
  return n;
}
