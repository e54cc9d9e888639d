import type { Controller } from "../controller";
import type { NodeDeps } from "./node-context";

/**
 * The node's share of a cluster's network (ref: the cluster): its netd reconfigured, recreated when it
 * vanished while the cluster has pods here, removed while the cluster sleeps (its Docker network stays,
 * so its pods find their addresses free when they wake; their first sandbox brings the netd back).
 */
export const nodeNetworkController: Controller<NodeDeps> = {
  queue: "node-network",
  perNode: true,
  watches: [],
  start: (d) => async (ref) => {
    if ((await d.clusters.get(ref.clusterId))?.phase === "Sleeping") {
      await d.network.removeCluster(ref.clusterId);
      return {};
    }
    return d.network.syncCluster(ref.clusterId, d.pods.hasPodsOf(ref.clusterId));
  },
};
