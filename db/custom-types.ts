import type postgres from "postgres";
import { CRD_GROUP, CRD_RESOURCE, type CustomResourceDefinition } from "../core/k8s/crd/types";
import { BUILT_IN_TYPES, ServedTypes } from "../core/k8s/served-types";
import type { ObjectStore } from "./store";

/** Notified (payload: the cluster's id) by every CRD write, whichever process makes it (db/crd-admission.ts). */
export const CRD_CHANNEL = "timonier_crds";

/** The cluster's CustomResourceDefinitions, as stored. */
export async function customResourceDefinitions(
  store: Pick<ObjectStore, "list">,
  clusterId: string,
): Promise<CustomResourceDefinition[]> {
  const { items } = await store.list({ clusterId, group: CRD_GROUP, resource: CRD_RESOURCE });
  return items as CustomResourceDefinition[];
}

/** What the cluster serves now: the built-in types and those of its established CRDs. */
export async function loadServedTypes(
  store: Pick<ObjectStore, "list">,
  clusterId: string,
): Promise<ServedTypes> {
  const crds = await customResourceDefinitions(store, clusterId);
  return crds.length ? new ServedTypes(crds) : BUILT_IN_TYPES;
}

/**
 * Each cluster's served types, kept for `ttlMs` so that a request costs no query, and dropped when a CRD
 * of the cluster is written: at once in this process, on the CRD channel's notification from any other
 * (the API's replicas, the workers' releases), and after `ttlMs` should a notification be lost.
 */
export class ServedTypesCache {
  private readonly entries = new Map<string, { types: Promise<ServedTypes>; at: number }>();

  constructor(
    private readonly store: Pick<ObjectStore, "list">,
    private readonly ttlMs = 500,
    private readonly clock: () => number = Date.now,
  ) {}

  of(clusterId: string): Promise<ServedTypes> {
    const now = this.clock();
    const entry = this.entries.get(clusterId);
    if (entry && now - entry.at < this.ttlMs) return entry.types;
    if (this.entries.size > 10_000) this.evictExpired(now);
    const types = loadServedTypes(this.store, clusterId);
    this.entries.set(clusterId, { types, at: now });
    types.catch(() => this.entries.delete(clusterId));
    return types;
  }

  invalidate(clusterId: string): void {
    this.entries.delete(clusterId);
  }

  /** Drops a cluster's entry whenever one of its CRDs is written anywhere; returns how to stop. */
  async listen(listener: postgres.Sql): Promise<() => Promise<void>> {
    const sub = await listener.listen(CRD_CHANNEL, (clusterId) => this.invalidate(clusterId));
    return sub.unlisten;
  }

  private evictExpired(now: number): void {
    for (const [id, entry] of this.entries) if (now - entry.at >= this.ttlMs) this.entries.delete(id);
  }
}
