/** IPv4 addresses as unsigned 32-bit numbers, and CIDR blocks over them. */
export interface Cidr {
  base: number;
  bits: number;
}

export function parseIp(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => acc * 256 + o, 0);
}

export function formatIp(ip: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(ip / 2 ** s) % 256).join(".");
}

export function parseCidr(cidr: string): Cidr | undefined {
  const [ip, bitsText] = cidr.trim().split("/");
  const base = parseIp(ip ?? "");
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { base: maskIp(base, bits), bits };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.bits}`;
}

export function maskIp(ip: number, bits: number): number {
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) * size;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.bits);
}

export function contains(c: Cidr, ip: number): boolean {
  return maskIp(ip, c.bits) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  return maskIp(a.base, bits) === maskIp(b.base, bits);
}

/** The `index`-th block of `/prefix` inside `pool`. */
export function subnetAt(pool: Cidr, prefix: number, index: number): Cidr {
  return { base: pool.base + index * 2 ** (32 - prefix), bits: prefix };
}

/** Whether the IPv4 address `ip` (dotted or as a number) lies in the block written as `cidr`. */
export function inCidr(cidr: string, ip: string | number): boolean {
  const block = parseCidr(cidr);
  const n = typeof ip === "number" ? ip : parseIp(ip);
  return block !== undefined && n !== undefined && contains(block, n);
}
