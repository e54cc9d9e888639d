import type { Controller } from "../controller";
import type { Result } from "../shell";
import type { NodeDeps } from "./node-context";
import { LABEL } from "./runtime";

/** Removes every container, the network and the volumes of a cluster being torn down, then says so. */
export async function sweepCluster(
  d: Pick<NodeDeps, "nodeName" | "runtime" | "network" | "clusters">,
  clusterId: string,
): Promise<Result> {
  const held = await d.runtime.listPods({ [LABEL.cluster]: clusterId });
  await Promise.all(
    [...held.values()].flatMap((o) =>
      [...o.containers, ...o.sandboxes].map((c) => d.runtime.removeContainer(c.id)),
    ),
  );
  await d.network.removeCluster(clusterId);
  await d.runtime.removeNetwork(clusterId);
  await d.runtime.removeVolumes({ clusterId });
  if (await d.clusters.get(clusterId)) await d.clusters.recordTeardown(clusterId, d.nodeName);
  return {};
}

/** Sweeps a deleted cluster off the node (ref: the cluster); cluster-teardown.ts waits for each node's. */
export const clusterSweepController: Controller<NodeDeps> = {
  queue: "node-sweep",
  perNode: true,
  watches: [],
  start: (d) => (ref) => sweepCluster(d, ref.clusterId),
};
