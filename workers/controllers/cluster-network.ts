import type { KubeObject } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/objects";
import type { Triggers } from "../../core/queues";
import type { NodeRepository } from "../../db/nodes";
import type { Change } from "../../db/store";
import { type Controller, clusterRef, enqueue, itsCluster } from "../controller";
import { nodeNetworkController } from "../node-agent/cluster-netd";
import { GATEWAY_REF, nodeGatewayController } from "../node-agent/node-gateway";
import type { Result } from "../shell";

/**
 * A cluster's Services, endpoints or policies changed: every node reconfigures that cluster's netd and its gateway.
 * The nodes' queues coalesce bursts, so a rollout costs each node a few reconfigurations, not one per pod.
 */
export class ClusterNetworkFanout {
  constructor(
    private readonly nodes: NodeRepository,
    private readonly triggers: Triggers,
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    for (const node of await this.nodes.list()) {
      await enqueue(this.triggers, nodeNetworkController, {
        ref: clusterRef(ref.clusterId),
        node: node.name,
      });
      await enqueue(this.triggers, nodeGatewayController, { ref: GATEWAY_REF, node: node.name });
    }
    return {};
  }
}

/** What the nodes' data path (service proxy, DNS, gateway) is configured from; Secrets for Ingress TLS. */
const DATA_PATH_SOURCES = [
  ["", "services"],
  ["discovery.k8s.io", "endpointslices"],
  ["networking.k8s.io", "ingresses"],
  ["", "secrets"],
  ["networking.k8s.io", "networkpolicies"],
] as const;

/** What NetworkPolicies see of a pod: its labels, address and phase once it has an address; nothing before. */
const podView = (o: KubeObject | undefined) => {
  const status = (o?.status ?? {}) as { podIP?: string; phase?: string };
  return status.podIP ? JSON.stringify([o?.metadata.labels ?? {}, status.podIP, status.phase]) : "";
};

/** A pod change the firewall and the proxies' policy checks must follow. */
const podSeenByPolicies = (c: Change) => {
  const before = c.type === "ADDED" ? undefined : c.type === "DELETED" ? c.object : c.previous;
  return podView(c.type === "DELETED" ? undefined : c.object) !== podView(before);
};

/** A namespace's labels changed: namespaceSelectors may pick other pods (new and gone ones have none). */
const namespaceRelabelled = (c: Change) =>
  c.type === "MODIFIED" &&
  c.previous !== undefined &&
  JSON.stringify(c.object.metadata.labels ?? {}) !== JSON.stringify(c.previous.metadata.labels ?? {});

export const clusterNetworkController: Controller = {
  queue: "cluster-network",
  watches: [
    ...DATA_PATH_SOURCES.map(([group, resource]) => ({ group, resource, map: itsCluster })),
    { group: "", resource: "pods", when: podSeenByPolicies, map: itsCluster },
    { group: "", resource: "namespaces", when: namespaceRelabelled, map: itsCluster },
  ],
  start: (d) => {
    const fanout = new ClusterNetworkFanout(d.nodes, d.triggers);
    return (ref) => fanout.reconcile(ref);
  },
};
