import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { ClusterBudget } from "../core/k8s/budget";
import { defaultNamespace } from "../core/k8s/defaults/namespace";
import { DEFAULT_CLUSTER_ROLE_BINDINGS, DEFAULT_CLUSTER_ROLES } from "../core/k8s/rbac/defaults";
import { SYSTEM_PRIORITY_CLASSES } from "../core/k8s/scheduling/priority";
import { defaultIngressClass, INGRESS_CLASS, wellKnownServices } from "../core/k8s/services/well-known";
import { defaultStorageClass } from "../core/k8s/storage/types";
import type { KubeObject } from "../core/k8s/types";
import { isUuid } from "../core/uuid";
import type { Database } from "./client";
import type { ClusterNetworks } from "./networks";
import { clusters, clusterTeardowns, objects, tenants } from "./schema";
import { reserveClusterIp } from "./service-allocations";
import { ObjectStore } from "./store";

export type ClusterRow = typeof clusters.$inferSelect;

/** Namespaces every cluster has from creation, as on a kubeadm cluster. */
export const INITIAL_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

function namespaceObject(name: string): KubeObject {
  return defaultNamespace({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

export class ClusterRepository {
  private readonly store: ObjectStore;
  constructor(
    private readonly db: Database,
    private readonly networks: ClusterNetworks,
  ) {
    this.store = new ObjectStore(db);
  }

  /**
   * Creates the cluster with its initial namespaces in one transaction. `tokenHashFor` derives the token
   * hash from the new id. Returns undefined when the tenant already has a cluster of that name.
   */
  async create(input: {
    tenant: string;
    name: string;
    tokenHashFor: (id: string) => string;
  }): Promise<ClusterRow | undefined> {
    const id = randomUUID();
    return this.db.transaction(async (tx) => {
      const [tenant] = await tx
        .insert(tenants)
        .values({ name: input.tenant })
        .onConflictDoUpdate({ target: tenants.name, set: { name: input.tenant } })
        .returning({ id: tenants.id });
      if (!tenant) throw new Error(`tenant ${input.tenant} was not written`);
      const [existing] = await tx
        .select({ id: clusters.id })
        .from(clusters)
        .where(and(eq(clusters.tenantId, tenant.id), eq(clusters.name, input.name)))
        .for("update");
      if (existing) return undefined;
      const [row] = await tx
        .insert(clusters)
        .values({ id, tenantId: tenant.id, name: input.name, tokenHash: input.tokenHashFor(id) })
        .returning();
      const network = await this.networks.reserve(tx, id);
      const services = wellKnownServices(network);
      for (const svc of services) {
        await reserveClusterIp(
          tx,
          { clusterId: id, namespace: svc.metadata.namespace as string, name: svc.metadata.name as string },
          svc.spec.clusterIP as string,
        );
      }
      await this.store.seed(tx, id, [
        ...services.map((obj) => ({
          key: {
            clusterId: id,
            group: "",
            resource: "services",
            namespace: obj.metadata.namespace as string,
            name: obj.metadata.name as string,
          },
          obj,
        })),
        {
          key: {
            clusterId: id,
            group: "networking.k8s.io",
            resource: "ingressclasses",
            namespace: "",
            name: INGRESS_CLASS,
          },
          obj: defaultIngressClass(),
        },
        {
          key: {
            clusterId: id,
            group: "storage.k8s.io",
            resource: "storageclasses",
            namespace: "",
            name: "standard",
          },
          obj: defaultStorageClass(),
        },
        ...[...DEFAULT_CLUSTER_ROLES, ...DEFAULT_CLUSTER_ROLE_BINDINGS].map((obj) => ({
          key: {
            clusterId: id,
            group: "rbac.authorization.k8s.io",
            resource: obj.kind === "ClusterRole" ? "clusterroles" : "clusterrolebindings",
            namespace: "",
            name: obj.metadata.name as string,
          },
          obj: structuredClone(obj),
        })),
        ...SYSTEM_PRIORITY_CLASSES.map((pc) => ({
          key: {
            clusterId: id,
            group: "scheduling.k8s.io",
            resource: "priorityclasses",
            namespace: "",
            name: pc.metadata.name as string,
          },
          obj: structuredClone(pc),
        })),
        ...INITIAL_NAMESPACES.flatMap((ns) => [
          {
            key: { clusterId: id, group: "", resource: "namespaces", namespace: "", name: ns },
            obj: namespaceObject(ns),
          },
          {
            key: { clusterId: id, group: "", resource: "serviceaccounts", namespace: ns, name: "default" },
            obj: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: ns } },
          },
        ]),
      ]);
      return row;
    });
  }

  async list(): Promise<(ClusterRow & { tenant: string })[]> {
    const rows = await this.db
      .select({ cluster: clusters, tenant: tenants.name })
      .from(clusters)
      .innerJoin(tenants, eq(tenants.id, clusters.tenantId))
      .orderBy(asc(clusters.createdAt));
    return rows.map((r) => ({ ...r.cluster, tenant: r.tenant }));
  }

  async get(id: string): Promise<(ClusterRow & { tenant: string }) | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db
      .select({ cluster: clusters, tenant: tenants.name })
      .from(clusters)
      .innerJoin(tenants, eq(tenants.id, clusters.tenantId))
      .where(eq(clusters.id, id));
    return row ? { ...row.cluster, tenant: row.tenant } : undefined;
  }

  /** Sets the cluster's own budget (what it leaves out follows the platform's defaults). */
  async setBudget(id: string, budget: Partial<ClusterBudget>): Promise<void> {
    await this.db.update(clusters).set({ budget }).where(eq(clusters.id, id));
  }

  async byTokenHash(hash: string): Promise<ClusterRow | undefined> {
    const [row] = await this.db.select().from(clusters).where(eq(clusters.tokenHash, hash));
    return row;
  }

  /** Marks the cluster Terminating; its objects stay until the teardown removed every container. */
  async markTerminating(id: string): Promise<ClusterRow | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db
      .update(clusters)
      .set({ phase: "Terminating" })
      .where(eq(clusters.id, id))
      .returning();
    return row;
  }

  async terminating(): Promise<ClusterRow[]> {
    return this.db.select().from(clusters).where(eq(clusters.phase, "Terminating"));
  }

  /** Removes every object of the cluster at once (teardown: no finalizers, no watchers left to tell). */
  async removeObjects(id: string): Promise<void> {
    await this.db.delete(objects).where(eq(objects.clusterId, id));
  }

  async recordTeardown(id: string, nodeName: string): Promise<void> {
    await this.db.insert(clusterTeardowns).values({ clusterId: id, nodeName }).onConflictDoNothing();
  }

  async teardownsDone(id: string): Promise<string[]> {
    const rows = await this.db
      .select({ node: clusterTeardowns.nodeName })
      .from(clusterTeardowns)
      .where(eq(clusterTeardowns.clusterId, id));
    return rows.map((r) => r.node);
  }

  /** Deletes the cluster row; objects go with it (cascade). */
  async remove(id: string): Promise<void> {
    await this.db.delete(clusters).where(eq(clusters.id, id));
  }
}
