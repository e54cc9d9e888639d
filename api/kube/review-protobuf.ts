import { kubeErrors } from "../../core/k8s/errors";

/** Kubernetes' protobuf envelope: this magic, then a runtime.Unknown whose `raw` is the object. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The length-delimited and varint fields of one protobuf message, by number (repeated ones in order). */
function fields(buf: Buffer): Map<number, (Buffer | number)[]> {
  const out = new Map<number, (Buffer | number)[]>();
  let at = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[at++];
      if (byte === undefined) throw new Error("truncated varint");
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  while (at < buf.length) {
    const key = varint();
    const [number, wire] = [Math.floor(key / 8), key % 8];
    let value: Buffer | number;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const length = varint();
      if (at + length > buf.length) throw new Error("truncated field");
      value = buf.subarray(at, at + length);
      at += length;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
      continue;
    } else throw new Error(`unsupported wire type ${wire}`);
    out.set(number, [...(out.get(number) ?? []), value]);
  }
  return out;
}

const text = (f: Map<number, (Buffer | number)[]>, n: number) => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString("utf8") : undefined;
};
const message = (f: Map<number, (Buffer | number)[]>, n: number) => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? fields(v) : undefined;
};
const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""));

/**
 * The spec of an access review sent as protobuf (what client-go's typed clients send from inside a pod:
 * `kubectl auth whoami`, `kubectl auth can-i`), as its JSON form; authorization.k8s.io/v1's field numbers.
 */
export function reviewSpecFromProtobuf(body: Buffer, kind: string): Record<string, unknown> {
  try {
    if (!body.subarray(0, 4).equals(MAGIC)) throw new Error("no protobuf envelope");
    const raw = fields(body.subarray(4)).get(2)?.[0];
    if (!Buffer.isBuffer(raw)) return {};
    const spec = message(fields(raw), 2);
    if (!spec) return {};
    if (kind === "SelfSubjectRulesReview") return defined({ namespace: text(spec, 1) });
    const resource = message(spec, 1);
    const nonResource = message(spec, 2);
    const groups = (spec.get(4) ?? []).flatMap((g) => (Buffer.isBuffer(g) ? [g.toString("utf8")] : []));
    return defined({
      resourceAttributes:
        resource &&
        defined({
          namespace: text(resource, 1),
          verb: text(resource, 2),
          group: text(resource, 3),
          version: text(resource, 4),
          resource: text(resource, 5),
          subresource: text(resource, 6),
          name: text(resource, 7),
        }),
      nonResourceAttributes:
        nonResource && defined({ path: text(nonResource, 1), verb: text(nonResource, 2) }),
      user: text(spec, 3),
      groups: groups.length ? groups : undefined,
      uid: text(spec, 6),
    });
  } catch (err) {
    throw kubeErrors.badRequest(`unable to decode the review: ${(err as Error).message}`);
  }
}
