/** Just enough ASN.1 DER to write the certificates and DSA keys Sprig makes, and to read keys back. */

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

export const seq = (...items: Buffer[]) => tlv(0x30, ...items);
export const set = (...items: Buffer[]) => tlv(0x31, ...items);
export const octets = (b: Buffer) => tlv(0x04, b);
export const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
export const nul = () => Buffer.from([0x05, 0x00]);
export const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);

/** An INTEGER from a non-negative bigint, with the sign byte DER needs. */
export function int(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, "hex");
  if ((b[0] as number) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [40 * (parts[0] as number) + (parts[1] as number)];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

export function bitString(b: Buffer, unused = 0): Buffer {
  return tlv(0x03, Buffer.from([unused]), b);
}

/** Go's asn1 string choice: PrintableString when every character allows it, else UTF8String. */
export function asn1String(s: string): Buffer {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
  return tlv(printable ? 0x13 : 0x0c, Buffer.from(s));
}

/** UTCTime before 2050, GeneralizedTime from then on, to the second, as Go writes validity. */
export function time(d: Date): Buffer {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const y = d.getUTCFullYear();
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${p(y % 100)}${rest}`));
  return tlv(0x18, Buffer.from(`${p(y, 4)}${rest}`));
}

/** One decoded element: its tag, its content, and the whole encoding. */
export interface Element {
  tag: number;
  content: Buffer;
  raw: Buffer;
}

/** Reads the element at `offset`; throws on truncated input. */
export function read(b: Buffer, offset = 0): Element & { end: number } {
  const tag = b[offset];
  let len = b[offset + 1];
  if (tag === undefined || len === undefined) throw new Error("asn1: syntax error: data truncated");
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[start + i] ?? 0);
    start += n;
  }
  const end = start + len;
  if (end > b.length) throw new Error("asn1: syntax error: data truncated");
  return { tag, content: b.subarray(start, end), raw: b.subarray(offset, end), end };
}

/** The elements inside a constructed element. */
export function children(content: Buffer): Element[] {
  const out: Element[] = [];
  for (let i = 0; i < content.length; ) {
    const e = read(content, i);
    out.push(e);
    i = e.end;
  }
  return out;
}

export function bigintOf(content: Buffer): bigint {
  return content.length === 0 ? 0n : BigInt(`0x${content.toString("hex")}`);
}
