import { randomInt } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import type { Config } from "../core/config";
import { platformRefusal } from "../core/k8s/budget";
import { kubeErrors } from "../core/k8s/errors";
import { hasClusterIp, NODE_PORT_RANGE, type Service, usesNodePorts } from "../core/k8s/services/types";
import type { KubeObject } from "../core/k8s/types";
import { type FieldError, fieldErrors, invalidError } from "../core/k8s/validation/field-errors";
import { contains, formatIp, parseCidr, parseIp } from "../core/network/cidr";
import { serviceAddresses } from "../core/network/cluster-network";
import type { ObjectKey } from "../core/objects";
import { type BudgetSettings, budgetAdmission } from "./budget-admission";
import type { Database } from "./client";
import { crdChangeNotice, crdNamingAdmission } from "./crd-admission";
import { endpointAdmission } from "./endpoint-admission";
import type { ClusterNetworks } from "./networks";
import { podPriorityAdmission, priorityClassAdmission } from "./priority-admission";
import { forbiddenWrite, limitRangeAdmission, quotaAdmission } from "./quota-admission";
import { serviceAllocations } from "./schema";
import { serviceAccountAdmission } from "./service-account-admission";
import { storageAdmission } from "./storage-admission";
import { ObjectStore, type Tx, type WriteHook, type WriteHooks } from "./store";
import { defaultTolerationSecondsAdmission } from "./toleration-admission";

/** How many of the platform-wide NodePorts and load balancer addresses one cluster may hold. */
export interface ServiceLimits {
  nodePorts: number;
  loadBalancers: number;
}

const NODE_PORTS = "nodeport";
const LOAD_BALANCERS = "loadbalancer";
const clusterIpPool = (clusterId: string) => `clusterip/${clusterId}`;

interface Held {
  pool: string;
  value: string;
}

/**
 * Allocates what Services hold — ClusterIPs from the cluster's Service range, NodePorts and LoadBalancer
 * addresses from platform-wide pools — in the transaction that writes the Service, and frees what a Service
 * no longer uses. Errors read as kube-apiserver's allocators word them.
 */
export class ServiceAllocator implements WriteHook {
  constructor(
    private readonly networks: ClusterNetworks,
    private readonly loadBalancerPool: string,
    private readonly limits: ServiceLimits,
  ) {}

  async beforeWrite(
    tx: Tx,
    key: ObjectKey,
    next: KubeObject,
    current: KubeObject | undefined,
  ): Promise<void> {
    const svc = next as Service;
    const owner = { clusterId: key.clusterId, namespace: key.namespace, name: key.name };
    const kept: Held[] = [];
    const errors: FieldError[] = [];
    // every write holds its cluster's row lock (db/store.ts): a cluster's holdings are counted one at a time
    const shared = usesNodePorts(svc.spec) || svc.spec.type === "LoadBalancer";
    const before = shared ? await this.holdings(tx, key) : [];

    if (hasClusterIp(svc.spec)) {
      const network = await this.networks.of(key.clusterId, tx);
      const pool = clusterIpPool(key.clusterId);
      const requested = svc.spec.clusterIP;
      let ip: string | undefined;
      if (requested) {
        const range = parseCidr(network.serviceRange);
        const n = parseIp(requested);
        if (!range || n === undefined || !contains(range, n)) {
          errors.push(
            fieldErrors.invalid(
              "spec.clusterIPs",
              [requested],
              `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${network.serviceRange}`,
            ),
          );
        } else if (await this.hold(tx, owner, { pool, value: requested })) ip = requested;
        else
          errors.push(
            fieldErrors.invalid(
              "spec.clusterIPs",
              [requested],
              `failed to allocate IP ${requested}: provided IP is already allocated`,
            ),
          );
      } else {
        // the first ten addresses stay for well-known Services (kubernetes, kube-dns) and users' picks
        const { first, last } = serviceAddresses(network);
        ip = await this.holdAny(tx, owner, pool, first + 10, last, formatIp);
        if (!ip)
          throw kubeErrors.internal(`failed to allocate a serviceIP: range ${network.serviceRange} is full`);
      }
      if (ip) {
        svc.spec.clusterIP = ip;
        svc.spec.clusterIPs = [ip];
        kept.push({ pool, value: ip });
      }
    }

    if (usesNodePorts(svc.spec)) {
      for (const [i, port] of (svc.spec.ports ?? []).entries()) {
        const pool = NODE_PORTS;
        const field = `spec.ports[${i}].nodePort`;
        if (port.nodePort) {
          const value = `${port.nodePort}/${port.protocol}`;
          if (port.nodePort < NODE_PORT_RANGE.first || port.nodePort > NODE_PORT_RANGE.last)
            errors.push(
              fieldErrors.invalid(
                field,
                port.nodePort,
                `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.first}-${NODE_PORT_RANGE.last}`,
              ),
            );
          else if (await this.hold(tx, owner, { pool, value })) kept.push({ pool, value });
          else errors.push(fieldErrors.invalid(field, port.nodePort, "provided port is already allocated"));
          continue;
        }
        const value = await this.holdAny(
          tx,
          owner,
          pool,
          NODE_PORT_RANGE.first,
          NODE_PORT_RANGE.last,
          (n) => `${n}/${port.protocol}`,
        );
        if (!value) throw kubeErrors.internal("failed to allocate a nodePort: range is full");
        port.nodePort = Number(value.split("/")[0]);
        kept.push({ pool, value });
      }
    } else {
      for (const port of svc.spec.ports ?? []) delete port.nodePort;
    }

    if (svc.spec.type === "LoadBalancer") {
      const range = parseCidr(this.loadBalancerPool);
      if (!range) throw kubeErrors.internal(`invalid load balancer pool ${this.loadBalancerPool}`);
      const previous = (current as Service | undefined)?.status?.loadBalancer?.ingress?.[0]?.ip;
      const ip =
        previous && (await this.hold(tx, owner, { pool: LOAD_BALANCERS, value: previous }))
          ? previous
          : await this.holdAny(
              tx,
              owner,
              LOAD_BALANCERS,
              range.base + 1,
              range.base + 2 ** (32 - range.bits) - 2,
              formatIp,
            );
      if (!ip)
        throw kubeErrors.internal(
          `failed to allocate a load balancer address: ${this.loadBalancerPool} is full`,
        );
      kept.push({ pool: LOAD_BALANCERS, value: ip });
      svc.status = {
        loadBalancer: {
          ingress: [
            {
              ip,
              ipMode: "VIP",
              ports: (svc.spec.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" })),
            },
          ],
        },
      };
    } else if (svc.status?.loadBalancer?.ingress) {
      svc.status = { loadBalancer: {} };
    }

    if (errors.length) throw invalidError("Service", key.name, errors);
    await this.release(tx, key, kept);
    if (shared) await this.enforceLimits(tx, key, kept, before);
  }

  /**
   * NodePorts and load balancer addresses are shared by every cluster of the platform: a cluster may hold
   * only its share, refused as a ResourceQuota refuses (`services.nodeports`, `services.loadbalancers`) by
   * a quota the student cannot see or change. A write that adds none is never refused.
   */
  private async enforceLimits(tx: Tx, key: ObjectKey, kept: Held[], before: Held[]): Promise<void> {
    const checks = [
      { pool: NODE_PORTS, resource: "services.nodeports", limit: this.limits.nodePorts },
      { pool: LOAD_BALANCERS, resource: "services.loadbalancers", limit: this.limits.loadBalancers },
    ];
    for (const { pool, resource, limit } of checks) {
      const mine = kept.filter((h) => h.pool === pool);
      const added = mine.filter((h) => !before.some((b) => b.pool === pool && b.value === h.value)).length;
      if (added === 0) continue;
      const [row] = await tx
        .select({ n: count() })
        .from(serviceAllocations)
        .where(and(eq(serviceAllocations.pool, pool), eq(serviceAllocations.clusterId, key.clusterId)));
      const total = Number(row?.n ?? 0);
      if (total <= limit) continue;
      throw forbiddenWrite(
        key,
        platformRefusal([{ name: resource, asked: mine.length, used: total - mine.length, hard: limit }]),
      );
    }
  }

  private async holdings(tx: Tx, key: ObjectKey): Promise<Held[]> {
    return tx
      .select({ pool: serviceAllocations.pool, value: serviceAllocations.value })
      .from(serviceAllocations)
      .where(ownedBy(key));
  }

  async afterDelete(tx: Tx, key: ObjectKey): Promise<void> {
    await this.release(tx, key, []);
  }

  /** Frees what the Service holds beyond `kept`. */
  private async release(tx: Tx, key: ObjectKey, kept: Held[]): Promise<void> {
    const keptKeys = kept.map((k) => `${k.pool} ${k.value}`);
    const rows = await this.holdings(tx, key);
    const stale = rows.filter((r) => !keptKeys.includes(`${r.pool} ${r.value}`));
    for (const row of stale) {
      await tx
        .delete(serviceAllocations)
        .where(
          and(eq(serviceAllocations.pool, row.pool), eq(serviceAllocations.value, row.value), ownedBy(key)),
        );
    }
  }

  /** Takes `value` unless another Service holds it; true when this Service holds it now. */
  private async hold(tx: Tx, owner: Owner, held: Held): Promise<boolean> {
    const inserted = await tx
      .insert(serviceAllocations)
      .values({ ...held, ...owner })
      .onConflictDoNothing()
      .returning({ value: serviceAllocations.value });
    if (inserted.length) return true;
    const [row] = await tx
      .select()
      .from(serviceAllocations)
      .where(and(eq(serviceAllocations.pool, held.pool), eq(serviceAllocations.value, held.value)));
    return row?.clusterId === owner.clusterId && row.namespace === owner.namespace && row.name === owner.name;
  }

  /** Any free value of [first, last]: random probes first, then a scan, as the range fills. */
  private async holdAny(
    tx: Tx,
    owner: Owner,
    pool: string,
    first: number,
    last: number,
    format: (n: number) => string,
  ): Promise<string | undefined> {
    for (let i = 0; i < 16; i++) {
      const value = format(randomInt(first, last + 1));
      if (await this.insertFree(tx, owner, pool, value)) return value;
    }
    const taken = new Set(
      (
        await tx
          .select({ value: serviceAllocations.value })
          .from(serviceAllocations)
          .where(eq(serviceAllocations.pool, pool))
      ).map((r) => r.value),
    );
    for (let n = first; n <= last; n++) {
      const value = format(n);
      if (!taken.has(value) && (await this.insertFree(tx, owner, pool, value))) return value;
    }
    return undefined;
  }

  private async insertFree(tx: Tx, owner: Owner, pool: string, value: string): Promise<boolean> {
    const inserted = await tx
      .insert(serviceAllocations)
      .values({ pool, value, ...owner })
      .onConflictDoNothing()
      .returning({ value: serviceAllocations.value });
    return inserted.length > 0;
  }
}

interface Owner {
  clusterId: string;
  namespace: string;
  name: string;
}

function ownedBy(key: ObjectKey) {
  return and(
    eq(serviceAllocations.clusterId, key.clusterId),
    eq(serviceAllocations.namespace, key.namespace),
    eq(serviceAllocations.name, key.name),
  );
}

/** Reserves a Service's ClusterIP outside the API's write path (the Services every cluster is born with). */
export async function reserveClusterIp(tx: Tx, owner: Owner, ip: string): Promise<void> {
  await tx.insert(serviceAllocations).values({ pool: clusterIpPool(owner.clusterId), value: ip, ...owner });
}

/** The write hooks every store of a process needs. */
export function storeHooks(
  networks: ClusterNetworks,
  settings: {
    loadBalancerPool: string;
    serviceLimits: ServiceLimits;
    budget: BudgetSettings;
    defaultTolerationSeconds: number;
  },
): WriteHooks {
  return {
    "/services": [new ServiceAllocator(networks, settings.loadBalancerPool, settings.serviceLimits)],
    "/pods": [
      serviceAccountAdmission,
      podPriorityAdmission,
      defaultTolerationSecondsAdmission(settings.defaultTolerationSeconds),
      limitRangeAdmission,
      budgetAdmission(settings.budget),
    ],
    "/endpoints": [endpointAdmission(networks)],
    "discovery.k8s.io/endpointslices": [endpointAdmission(networks)],
    "scheduling.k8s.io/priorityclasses": [priorityClassAdmission],
    "apiextensions.k8s.io/customresourcedefinitions": [crdNamingAdmission, crdChangeNotice],
    "*": [quotaAdmission, storageAdmission(settings.budget.budget.storageBytes)],
  };
}

/** The object store of a process, with every write hook, as the platform's configuration sets them. */
export function platformStore(
  db: Database,
  networks: ClusterNetworks,
  config: Pick<
    Config,
    "loadBalancerPool" | "serviceLimits" | "budget" | "containerDefaults" | "defaultTolerationSeconds"
  >,
): ObjectStore {
  return new ObjectStore(
    db,
    storeHooks(networks, {
      loadBalancerPool: config.loadBalancerPool,
      serviceLimits: config.serviceLimits,
      budget: { budget: config.budget, containers: config.containerDefaults },
      defaultTolerationSeconds: config.defaultTolerationSeconds,
    }),
  );
}
