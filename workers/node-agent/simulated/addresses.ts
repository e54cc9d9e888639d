import { cidrSize, formatIp, parseCidr, parseIp } from "../../../core/network/cidr";
import { isPodAddress } from "../../../core/network/cluster-network";

/**
 * The pod addresses of one cluster network on a simulated node, handed out as Docker's IPAM does: the
 * lowest free address of the pod range (past its network address and the bridge's gateway), or the one
 * asked for when it is a free pod address.
 */
export class PodAddresses {
  private readonly taken = new Set<number>();
  private readonly first: number;
  private readonly last: number;

  constructor(private readonly podRange: string) {
    const range = parseCidr(podRange);
    if (!range) throw new Error(`invalid pod range ${podRange}`);
    this.first = range.base + 2;
    this.last = range.base + cidrSize(range) - 2;
  }

  /** A free address, `wanted` if it is one; undefined when the range is full. */
  take(wanted?: string): string | undefined {
    const asked = wanted && isPodAddress(this.podRange, wanted) ? parseIp(wanted) : undefined;
    if (asked !== undefined && !this.taken.has(asked)) return this.hold(asked);
    for (let ip = this.first; ip <= this.last; ip++) if (!this.taken.has(ip)) return this.hold(ip);
    return undefined;
  }

  release(ip: string): void {
    const n = parseIp(ip);
    if (n !== undefined) this.taken.delete(n);
  }

  private hold(ip: number): string {
    this.taken.add(ip);
    return formatIp(ip);
  }
}
