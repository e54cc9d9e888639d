import type { Redis } from "ioredis";
import type { Config } from "../core/config";
import type { ServedTypes } from "../core/k8s/served-types";
import type { Database } from "../db/client";
import type { ClusterRepository, ClusterRow } from "../db/clusters";
import type { ServedTypesCache } from "../db/custom-types";
import type { MetricsRepository } from "../db/metrics";
import type { NodeRepository } from "../db/nodes";
import type { ObjectWriter } from "../db/object-writer/writer";
import type { ObjectStore } from "../db/store";
import type { TenantRepository } from "../db/tenants";
import type { Activity } from "./kube/activity";
import type { WatchHub } from "./kube/watch-hub";

/** Everything a request handler may use; built once per process and handed to `createApp`. */
export interface ApiDeps {
  config: Pick<
    Config,
    | "publicUrl"
    | "kubeUrl"
    | "adminToken"
    | "tokenSecret"
    | "metricsSeconds"
    | "chartRender"
    | "rateLimit"
    | "budget"
    | "containerDefaults"
    | "simulatedNodes"
  > & {
    certificateAuthority: string;
  };
  db: Database;
  redis: Redis;
  store: ObjectStore;
  /** Every object write of the Kubernetes API and the releases API goes through it. */
  writer: ObjectWriter;
  clusters: ClusterRepository;
  tenants: TenantRepository;
  nodes: NodeRepository;
  metrics: MetricsRepository;
  watchHub: WatchHub;
  /** Each cluster's served resource types (built-in and from its CRDs). */
  servedTypes: ServedTypesCache;
  activity: Activity;
  now: () => Date;
}

/** Who is calling: the platform admin, a class's teacher (management API only), or a cluster's own user. */
export type Principal =
  | { kind: "admin" }
  /** A teacher token: manages its own tenant's clusters, releases, kubeconfigs and settings, nothing else. */
  | { kind: "teacher"; tenantId: string; tenant: string }
  | { kind: "cluster"; clusterId: string }
  /** A ServiceAccount's token (`kubectl create token`): what RBAC grants that account, no more. */
  | { kind: "serviceaccount"; clusterId: string; namespace: string; name: string };

export type AppEnv = {
  Variables: {
    deps: ApiDeps;
    principal: Principal;
    cluster: ClusterRow;
    /** What the request's cluster serves, read once per request. */
    types: ServedTypes;
  };
};
