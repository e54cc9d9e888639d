import type { ContainerDefaults } from "../../core/k8s/budget";
import type { Pod } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/objects";
import type { Triggers } from "../../core/queues";
import type { Logger } from "../../core/telemetry";
import type { ClusterRepository } from "../../db/clusters";
import type { ClusterNetworks } from "../../db/networks";
import type { ObjectStore } from "../../db/store";
import type { EventRecorder } from "../events";
import type { NodeNetwork } from "./network";
import { Prober } from "./prober";
import type { PodRuntime } from "./runtime";
import type { PodProblems } from "./status";

/** How the node runs its pods: the platform's limits. */
export interface PodSettings {
  /** The cgroup limits of a container that sets none, and every container's pids limit (TIMONIER_CONTAINER_*). */
  containerDefaults: ContainerDefaults;
  /** The cap on a memory-backed emptyDir (TIMONIER_MAX_MEMORY_EMPTYDIR). */
  maxMemoryEmptyDirBytes?: number;
  /** Signs the pods' projected ServiceAccount tokens (the platform's token secret). */
  tokenSecret?: string;
}

/** What each unit of a node's agent is given, as ControllerDeps is to the platform's controllers. */
export interface NodeDeps {
  nodeName: string;
  /** The node's address as users reach it: each pod's hostIP. */
  nodeAddress: string;
  pods: NodePods;
  settings: PodSettings;
  store: ObjectStore;
  clusters: ClusterRepository;
  networks: ClusterNetworks;
  runtime: PodRuntime;
  /** The node's cluster networks, netds and gateway. */
  network: NodeNetwork;
  /** The kubelet's events. */
  events: EventRecorder;
  triggers: Triggers;
  /** Enqueues a sync of a pod on this node (the pod-sync controller's queue). */
  wakePod(ref: ObjectRef): Promise<void>;
  logger: Logger;
  now(): Date;
}

/** What the probes' verdicts set off: a pod to sync again, a container to restart. */
export interface ProbeVerdicts {
  changed(ref: ObjectRef): void;
  unhealthy(clusterId: string, pod: Pod, container: string, containerId: string): void;
}

/**
 * What the agent's units share about the pods running here, in one place: each pod's cluster, the
 * containers that cannot be created, the pending evictions, and the probes. An entry goes with the pod's
 * last sync (`forget`).
 */
export class NodePods {
  /** Pod uid → cluster id: the prober's callbacks get the pod alone, and netds follow the clusters here. */
  private readonly clusters = new Map<string, string>();
  /** Pod uid → container → why it cannot be created (CreateContainerConfigError), until it can. */
  private readonly configErrors = new Map<string, Map<string, string>>();
  /** Pod uid → the eviction message of a pod over an emptyDir's sizeLimit, until its sync evicts it. */
  private readonly evictions = new Map<string, string>();
  readonly prober: Prober;

  constructor(runtime: Pick<PodRuntime, "exec">, verdicts: ProbeVerdicts) {
    this.prober = new Prober(
      runtime,
      (pod) => {
        const clusterId = this.clusterOf(pod);
        if (clusterId)
          verdicts.changed({
            clusterId,
            namespace: pod.metadata.namespace ?? "",
            name: pod.metadata.name ?? "",
          });
      },
      (pod, container, id) => verdicts.unhealthy(this.clusterOf(pod), pod, container, id),
    );
  }

  /** The pod (by uid) runs here for `clusterId`. */
  runs(uid: string, clusterId: string): void {
    this.clusters.set(uid, clusterId);
  }

  /** The cluster the pod was last synced for; "" when unknown. */
  clusterOf(pod: Pod): string {
    return this.clusters.get(pod.metadata.uid ?? "") ?? "";
  }

  hasPodsOf(clusterId: string): boolean {
    return [...this.clusters.values()].includes(clusterId);
  }

  forget(uid: string): void {
    this.prober.forget(uid);
    this.clusters.delete(uid);
    this.configErrors.delete(uid);
    this.evictions.delete(uid);
  }

  configError(uid: string, container: string, message: string): void {
    let errors = this.configErrors.get(uid);
    if (!errors) {
      errors = new Map();
      this.configErrors.set(uid, errors);
    }
    errors.set(container, message);
  }

  clearConfigError(uid: string, container: string): void {
    this.configErrors.get(uid)?.delete(container);
  }

  /** The pod's containers that cannot be created, as its status reports them. */
  problemsOf(uid: string): PodProblems {
    const configErrors = this.configErrors.get(uid);
    return configErrors?.size ? { configErrors } : {};
  }

  /** The pod outgrew an emptyDir's sizeLimit: its next sync evicts it. */
  markEviction(uid: string, message: string): void {
    this.evictions.set(uid, message);
  }

  isMarkedForEviction(uid: string): boolean {
    return this.evictions.has(uid);
  }

  /** The pod's pending eviction, cleared: a sync acts on it once. */
  takeEviction(uid: string): string | undefined {
    const message = this.evictions.get(uid);
    this.evictions.delete(uid);
    return message;
  }
}
