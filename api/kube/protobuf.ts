/** Just enough of the protobuf wire format to write messages of strings and nested messages. */
export type Field = [number, string | Uint8Array | Field[]];

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Encodes fields as length-delimited entries (wire type 2), nested arrays as sub-messages. */
export function encodeMessage(fields: Field[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [number, value] of fields) {
    const body =
      typeof value === "string"
        ? new TextEncoder().encode(value)
        : value instanceof Uint8Array
          ? value
          : encodeMessage(value);
    parts.push(Uint8Array.from([...varint(number * 8 + 2), ...varint(body.length)]), body);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
