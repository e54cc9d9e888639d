import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { cidrSize, formatCidr, parseCidr, subnetAt } from "../core/network/cidr";
import { type ClusterNetwork, clusterNetwork } from "../core/network/cluster-network";
import type { Database } from "./client";
import { clusterNetworks } from "./schema";
import type { Tx } from "./store";

/** Every address block of the pool is taken: no cluster can be created until one is deleted. */
export class NetworkPoolExhausted extends Error {}

export interface NetworkPool {
  /** The platform-wide block cluster networks are cut from, e.g. 10.128.0.0/9. */
  pool: string;
  /** Size of each cluster's block, e.g. 23: a /24 of pods and a /24 of Services. */
  prefix: number;
}

/** Gives each cluster its address block, once, and tells it to whoever asks. */
export class ClusterNetworks {
  private readonly known = new Map<string, ClusterNetwork>();

  constructor(
    private readonly db: Database,
    private readonly pool: NetworkPool,
  ) {
    const range = parseCidr(pool.pool);
    if (!range || pool.prefix < range.bits || pool.prefix > 28)
      throw new Error(`invalid cluster network pool ${pool.pool} for /${pool.prefix}`);
  }

  /** The cluster's block, reserved on first use (clusters created before networks existed get one late). */
  async of(clusterId: string, tx?: Tx): Promise<ClusterNetwork> {
    const cached = this.known.get(clusterId);
    if (cached) return cached;
    const network = await this.reserve(tx ?? this.db, clusterId);
    this.known.set(clusterId, network);
    return network;
  }

  /**
   * Probes blocks from a start derived from the cluster id; `on conflict do nothing` keeps a taken block
   * (or a block this cluster got concurrently) from aborting the caller's transaction.
   */
  async reserve(tx: Tx | Database, clusterId: string): Promise<ClusterNetwork> {
    const range = parseCidr(this.pool.pool);
    if (!range) throw new Error(`invalid cluster network pool ${this.pool.pool}`);
    const count = cidrSize(range) / 2 ** (32 - this.pool.prefix);
    const start = createHash("sha256").update(clusterId).digest().readUInt32BE(0) % count;
    for (let i = 0; i < count; i++) {
      const existing = await tx
        .select({ cidr: clusterNetworks.cidr })
        .from(clusterNetworks)
        .where(eq(clusterNetworks.clusterId, clusterId));
      if (existing[0]) return clusterNetwork(existing[0].cidr);
      const cidr = formatCidr(subnetAt(range, this.pool.prefix, (start + i) % count));
      const inserted = await tx
        .insert(clusterNetworks)
        .values({ clusterId, cidr })
        .onConflictDoNothing()
        .returning({ cidr: clusterNetworks.cidr });
      if (inserted[0]) return clusterNetwork(inserted[0].cidr);
    }
    throw new NetworkPoolExhausted(
      `no free /${this.pool.prefix} left in ${this.pool.pool} for a new cluster`,
    );
  }
}
