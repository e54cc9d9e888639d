import type { ObjectRef } from "../../core/objects";
import type { Triggers } from "../../core/queues";
import type { NodeRepository } from "../../db/nodes";
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

/**
 * What the nodes' data path (service proxy, DNS, gateway, firewall) is configured from; Secrets for
 * Ingress TLS; NetworkPolicies with the pods and namespaces they select by label.
 */
const DATA_PATH_SOURCES = [
  ["", "services"],
  ["discovery.k8s.io", "endpointslices"],
  ["networking.k8s.io", "ingresses"],
  ["", "secrets"],
  ["networking.k8s.io", "networkpolicies"],
  ["", "pods"],
  ["", "namespaces"],
] as const;

export const clusterNetworkController: Controller = {
  queue: "cluster-network",
  watches: DATA_PATH_SOURCES.map(([group, resource]) => ({ group, resource, map: itsCluster })),
  start: (d) => {
    const fanout = new ClusterNetworkFanout(d.nodes, d.triggers);
    return (ref) => fanout.reconcile(ref);
  },
};
