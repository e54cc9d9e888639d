/** SPDY/3 framing (draft 3, section 2): control and data frames, and header blocks before compression. */

export const VERSION = 3;
export const FLAG_FIN = 0x01;

export const TYPE = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

export const RST = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  cancel: 5,
  internalError: 6,
} as const;

export type Frame =
  | { kind: "control"; type: number; flags: number; payload: Buffer }
  | { kind: "data"; streamId: number; flags: number; payload: Buffer };

/** Splits whole frames off the front of `buffer`; returns them and what is left. */
export function readFrames(buffer: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let offset = 0;
  while (buffer.length - offset >= 8) {
    const length = buffer.readUIntBE(offset + 5, 3);
    if (buffer.length - offset < 8 + length) break;
    const first = buffer.readUInt32BE(offset);
    const flags = buffer[offset + 4] as number;
    const payload = buffer.subarray(offset + 8, offset + 8 + length);
    if (first & 0x80000000) frames.push({ kind: "control", type: first & 0xffff, flags, payload });
    else frames.push({ kind: "data", streamId: first & 0x7fffffff, flags, payload });
    offset += 8 + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

function header(first: number, flags: number, length: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32BE(first >>> 0);
  out[4] = flags;
  out.writeUIntBE(length, 5, 3);
  return out;
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  return Buffer.concat([header((0x8000 | VERSION) * 0x10000 + type, flags, payload.length), payload]);
}

export function dataFrame(streamId: number, flags: number, payload: Buffer): Buffer {
  return Buffer.concat([header(streamId & 0x7fffffff, flags, payload.length), payload]);
}

export function uint32(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  for (const [i, v] of values.entries()) out.writeUInt32BE(v >>> 0, i * 4);
  return out;
}

/** A header block before compression: a count, then length-prefixed names and values. */
export function encodeHeaders(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [uint32(Object.keys(headers).length)];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(value);
    parts.push(uint32(n.length), n, uint32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaders(block: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let offset = 4;
  const count = block.readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const nameLength = block.readUInt32BE(offset);
    const name = block.subarray(offset + 4, offset + 4 + nameLength).toString();
    offset += 4 + nameLength;
    const valueLength = block.readUInt32BE(offset);
    out[name] = block.subarray(offset + 4, offset + 4 + valueLength).toString();
    offset += 4 + valueLength;
  }
  return out;
}
