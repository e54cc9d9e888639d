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

/** The peer broke the protocol: the session cannot go on (SPDY's session error PROTOCOL_ERROR). */
export class ProtocolError extends Error {}

/**
 * The largest control frame accepted. Control frames carry header blocks of a few hundred bytes at most
 * (kubectl's SYN_STREAMs), so a bigger one is an attack on the inflater, not a request.
 */
export const MAX_CONTROL_FRAME = 64 * 1024;

export type Frame =
  | { kind: "control"; type: number; flags: number; payload: Buffer }
  | { kind: "data"; streamId: number; flags: number; payload: Buffer };

/** Splits whole frames off the front of `buffer`; returns them and what is left. */
export function readFrames(buffer: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let offset = 0;
  while (buffer.length - offset >= 8) {
    const length = frameLength(buffer, offset);
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

/** The payload length of the frame at `offset`, refusing control frames above `MAX_CONTROL_FRAME`. */
function frameLength(buffer: Buffer, offset: number): number {
  const length = buffer.readUIntBE(offset + 5, 3);
  if ((buffer[offset] as number) & 0x80 && length > MAX_CONTROL_FRAME)
    throw new ProtocolError(`control frame of ${length} bytes is over the limit of ${MAX_CONTROL_FRAME}`);
  return length;
}

/**
 * Frames out of a byte stream read in chunks of any size. Chunks are kept apart until a whole frame is
 * there, so a large data frame arriving in many pieces is copied once, not once per piece. `push` throws
 * a ProtocolError for a frame the session must not accept.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Bytes needed before anything can be parsed: a header, then the whole frame it announces. */
  private needed = 8;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length < this.needed) return [];
    const buffer =
      this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.length);
    const { frames, rest } = readFrames(buffer);
    // a copy, so that the partial frame left over does not keep the whole buffer alive
    this.chunks = rest.length ? [Buffer.from(rest)] : [];
    this.length = rest.length;
    this.needed = rest.length >= 8 ? 8 + frameLength(rest, 0) : 8;
    return frames;
  }
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

/** A header block after decompression; throws a ProtocolError when it is not one. */
export function decodeHeaders(block: Buffer): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  let offset = 0;
  const take = (): Buffer => {
    if (block.length - offset < 4) throw new ProtocolError("truncated header block");
    const length = block.readUInt32BE(offset);
    if (block.length - offset - 4 < length) throw new ProtocolError("truncated header block");
    const value = block.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value;
  };
  if (block.length < 4) throw new ProtocolError("truncated header block");
  const count = block.readUInt32BE(0);
  offset = 4;
  // every pair takes at least 8 bytes: a count above that is a lie, whatever follows
  if (count > (block.length - 4) / 8) throw new ProtocolError("truncated header block");
  for (let i = 0; i < count; i++) {
    const name = take().toString();
    out[name] = take().toString();
  }
  return { ...out };
}
