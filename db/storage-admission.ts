import { eq, sql } from "drizzle-orm";
import { platformRefusal } from "../core/k8s/budget";
import type { KubeObject } from "../core/k8s/types";
import type { ObjectKey } from "../core/objects";
import { forbiddenWrite } from "./quota-admission";
import { clusters } from "./schema";
import type { Tx, WriteHook } from "./store";

const RESOURCE = "objects.storage";

/** What an object takes in storage, as the API serves it. */
export const storedSize = (obj: KubeObject): number => Buffer.byteLength(JSON.stringify(obj));

/**
 * Each cluster's objects may take at most its budget's `storageBytes` of the platform's database (its own,
 * else its class's, else the platform's default), whoever writes them: a
 * student could otherwise fill Postgres' disk for everyone with 3 MiB ConfigMaps. Every write adds its
 * change in size to the cluster's row (which it holds locked until commit: db/store.ts), and one that grows
 * a cluster past its share is refused with a quota's words; deleting always frees.
 */
export function storageAdmission(defaultBytes: number): WriteHook {
  const add = async (tx: Tx, key: ObjectKey, delta: number) => {
    const [row] = await tx
      .update(clusters)
      .set({ storedBytes: sql`greatest(0, ${clusters.storedBytes} + ${delta})` })
      .where(eq(clusters.id, key.clusterId))
      .returning({
        stored: clusters.storedBytes,
        budget: clusters.budget,
        // the class's budget, which the cluster's own overrides
        tenantStorage: sql<
          number | null
        >`(select (t.budget->>'storageBytes')::bigint from tenants t where t.id = "clusters"."tenant_id")`,
      });
    const limitBytes =
      row?.budget?.storageBytes ?? (row?.tenantStorage != null ? Number(row.tenantStorage) : defaultBytes);
    return { stored: row?.stored ?? 0, limitBytes };
  };
  return {
    async beforeWrite(tx, key, next, current) {
      const delta = storedSize(next) - (current ? storedSize(current) : 0);
      if (delta === 0) return;
      const { stored, limitBytes } = await add(tx, key, delta);
      if (delta > 0 && stored > limitBytes)
        throw forbiddenWrite(
          key,
          platformRefusal([{ name: RESOURCE, asked: delta, used: stored - delta, hard: limitBytes }]),
        );
    },
    async afterDelete(tx, key, deleted) {
      await add(tx, key, -storedSize(deleted));
    },
  };
}
