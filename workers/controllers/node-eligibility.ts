import { nodeAffinityAdmits } from "../../core/k8s/scheduling/node-affinity";
import { untoleratedTaint } from "../../core/k8s/scheduling/taints";
import { type Taint, tolerationsOf } from "../../core/k8s/scheduling/types";
import type { PodSpec } from "../../core/k8s/types";

export { tolerates } from "../../core/k8s/scheduling/taints";
export type { Taint, Toleration } from "../../core/k8s/scheduling/types";

/** A node as a DaemonSet sees it: its labels (hostname, os, arch and the platform's) and taints. */
export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
}

/**
 * Whether a pod with this spec belongs on the node, as the DaemonSet controller decides: its nodeSelector
 * and required node affinity match, and it tolerates every NoSchedule and NoExecute taint. Pure.
 */
export function nodeShouldRun(spec: PodSpec, node: NodeInfo): boolean {
  return nodeAffinityAdmits(spec, node) && !untoleratedTaint(node.taints, tolerationsOf(spec));
}
