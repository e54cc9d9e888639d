import type { Controller } from "../controller";
import { nodeNetworkController } from "./cluster-netd";
import { clusterSweepController } from "./cluster-sweep";
import type { NodeDeps } from "./node-context";
import { nodeGatewayController } from "./node-gateway";
import { podSyncController } from "./pod-sync";

/** What each node's agent runs, each on a queue of its own per node: a new one is its module plus a line here. */
export const NODE_CONTROLLERS: readonly Controller<NodeDeps>[] = [
  podSyncController,
  clusterSweepController,
  nodeNetworkController,
  nodeGatewayController,
];
