import { createHash, randomBytes, randomUUID } from "node:crypto";
import { marshalJson, unmarshalJson } from "../gojson";
import type { TemplateFunc } from "../template/exec";
import { str } from "./convert";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, "=");
}

function unbase32(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/=+$/, "")) {
    const i = BASE32.indexOf(c);
    if (i < 0) throw new Error(`illegal base32 data at input byte ${text.indexOf(c)}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function random(chars: string, count: unknown): string {
  const n = Number(count);
  const bytes = randomBytes(Math.max(0, n));
  return [...bytes].map((b) => chars[b % chars.length]).join("");
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ASCII = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join("");
const hash = (algorithm: string) => (v: unknown) => createHash(algorithm).update(str(v)).digest("hex");

function adler32(text: string): bigint {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(text)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return BigInt(((b << 16) | a) >>> 0);
}

/** Sprig's encodings, digests and random strings (decoding errors are returned as text, as Sprig does). */
export const sprigEncoding: Record<string, TemplateFunc> = {
  b64enc: (v) => Buffer.from(str(v)).toString("base64"),
  b64dec: (v) => {
    const text = str(v);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
      return "illegal base64 data at input byte 0";
    return Buffer.from(text, "base64").toString();
  },
  b32enc: (v) => base32(Buffer.from(str(v))),
  b32dec: (v) => {
    try {
      return unbase32(str(v)).toString();
    } catch (e) {
      return (e as Error).message;
    }
  },
  sha1sum: hash("sha1"),
  sha256sum: hash("sha256"),
  sha512sum: hash("sha512"),
  adler32sum: (v) => String(adler32(str(v))),
  uuidv4: () => randomUUID(),
  toPrettyJson: (v) => {
    try {
      return marshalJson(v, { indent: "  " });
    } catch {
      return "";
    }
  },
  mustToPrettyJson: (v) => marshalJson(v, { indent: "  " }),
  toRawJson: (v) => marshalJson(v, { escapeHTML: false }),
  mustToRawJson: (v) => marshalJson(v, { escapeHTML: false }),
  mustFromJson: (v) => unmarshalJson(str(v), "any") ?? null,
  randAlphaNum: (n) => random(LETTERS + DIGITS, n),
  randAlpha: (n) => random(LETTERS, n),
  randNumeric: (n) => random(DIGITS, n),
  randAscii: (n) => random(ASCII, n),
};
