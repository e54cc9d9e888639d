import { createHash } from "node:crypto";

interface Cidr {
  base: number;
  bits: number;
}

function parseCidr(cidr: string): Cidr | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const bits = Number(m[5]);
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base: mask(ip, bits), bits };
}

function mask(ip: number, bits: number): number {
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) * size;
}

function format(ip: number, bits: number): string {
  return `${[24, 16, 8, 0].map((s) => Math.floor(ip / 2 ** s) % 256).join(".")}/${bits}`;
}

function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  return mask(a.base, bits) === mask(b.base, bits);
}

/**
 * Picks a free subnet of `/prefix` inside `pool` for a cluster's network on one Docker host. The start is
 * derived from the cluster id, so a cluster tends to get the same subnet on every node; taken subnets
 * (any network of the host) are skipped. Undefined when the pool is full.
 */
export function pickSubnet(pool: string, prefix: number, used: string[], seed: string): string | undefined {
  const range = parseCidr(pool);
  if (!range || prefix < range.bits || prefix > 30)
    throw new Error(`invalid pod subnet pool ${pool} for /${prefix}`);
  const taken = used.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  const count = 2 ** (prefix - range.bits);
  const start = createHash("sha256").update(seed).digest().readUInt32BE(0) % count;
  for (let i = 0; i < count; i++) {
    const candidate = { base: range.base + ((start + i) % count) * 2 ** (32 - prefix), bits: prefix };
    if (!taken.some((t) => overlaps(t, candidate))) return format(candidate.base, prefix);
  }
  return undefined;
}
