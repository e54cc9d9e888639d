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

/** What NetworkPolicies see of a pod (labels, address, whether it ended) or of a namespace (labels). */
const policyView = (o: KubeObject | undefined) => {
  const status = (o?.status ?? {}) as { podIP?: string; phase?: string };
  return JSON.stringify([o?.metadata.labels ?? {}, status.podIP, status.phase]);
};

/** A pod or namespace change the firewall and the proxies' policy checks must follow. */
const seenByPolicies = (c: Change) =>
  c.type !== "MODIFIED" || policyView(c.object) !== policyView(c.previous);

export const clusterNetworkController: Controller = {
  queue: "cluster-network",
  watches: [
    ...DATA_PATH_SOURCES.map(([group, resource]) => ({ group, resource, map: itsCluster })),
    ...["pods", "namespaces"].map((resource) => ({
      group: "",
      resource,
      when: seenByPolicies,
      map: itsCluster,
    })),
  ],
  start: (d) => {
    const fanout = new ClusterNetworkFanout(d.nodes, d.triggers);
    return (ref) => fanout.reconcile(ref);
  },
};
