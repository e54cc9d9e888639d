import type { ObjectRef } from "../../core/objects";
import type { Controller } from "../controller";
import type { NodeDeps } from "./node-context";

/** The ref of a gateway reconcile: a node has one gateway, for every cluster, so it names nothing. */
export const GATEWAY_REF: ObjectRef = { clusterId: "", namespace: "", name: "" };

/** The node's gateway: NodePorts, LoadBalancer addresses and Ingress routes of every cluster. */
export const nodeGatewayController: Controller<NodeDeps> = {
  queue: "node-gateway",
  perNode: true,
  watches: [],
  start: (d) => () => d.network.syncGateway(),
};
