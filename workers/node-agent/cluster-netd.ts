import type { Controller } from "../controller";
import type { NodeDeps } from "./node-context";

/**
 * The node's share of a cluster's network (ref: the cluster): its netd reconfigured, recreated when it
 * vanished while the cluster has pods here.
 */
export const nodeNetworkController: Controller<NodeDeps> = {
  queue: "node-network",
  perNode: true,
  watches: [],
  start: (d) => (ref) => d.network.syncCluster(ref.clusterId, d.pods.hasPodsOf(ref.clusterId)),
};
