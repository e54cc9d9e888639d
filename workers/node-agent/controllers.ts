import { isDeepStrictEqual } from "node:util";
import type { KubeObject, Pod } from "../../core/k8s/types";
import { GATEWAY } from "../../core/queues";
import type { Change } from "../../db/store";
import type { Controller } from "../controller";
import type { NodeAgent } from "./agent";

/** The pod without what only its node writes: status, and the bookkeeping every write changes. */
function desired(pod: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = pod;
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = metadata;
  return { ...rest, metadata: meta };
}

/** Whether a pod's write changed only its status: the agent's own writes, which must not wake it again. */
function statusOnly(c: Change): boolean {
  return (
    c.type === "MODIFIED" &&
    c.previous !== undefined &&
    isDeepStrictEqual(desired(c.previous), desired(c.object))
  );
}

/** Converges each pod bound to the node (ref with a name); a ref naming a cluster alone sweeps it away. */
export const podSyncController: Controller<NodeAgent> = {
  queue: "node",
  perNode: true,
  watches: [
    {
      group: "",
      resource: "pods",
      when: (c) => !statusOnly(c),
      map: (c) => {
        const node = (c.object as Pod).spec?.nodeName;
        return node ? [{ ref: { clusterId: c.clusterId, namespace: c.namespace, name: c.name }, node }] : [];
      },
    },
  ],
  start: (agent) => (ref) => (ref.name ? agent.syncPod(ref) : agent.sweepCluster(ref.clusterId)),
};

/** The node's share of cluster networks (ref: a cluster) and its gateway (ref name GATEWAY). */
export const nodeNetworkController: Controller<NodeAgent> = {
  queue: "node-network",
  perNode: true,
  watches: [],
  start: (agent) => (ref) => (ref.name === GATEWAY ? agent.syncGateway() : agent.syncNetwork(ref.clusterId)),
};

/** What each node's agent runs, on queues of its own. */
export const NODE_CONTROLLERS: readonly Controller<NodeAgent>[] = [podSyncController, nodeNetworkController];
