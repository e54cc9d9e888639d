import type { ResourceAmounts } from "../../core/k8s/requests";
import type { Taint } from "../../core/k8s/scheduling/types";
import type { Pod } from "../../core/k8s/types";

/** A node as the scheduler weighs it for one cluster's pod. */
export interface NodeCandidate {
  name: string;
  ready: boolean;
  /** Cordoned in the pod's cluster (`kubectl cordon`): only pods tolerating it go there. */
  unschedulable?: boolean;
  labels: Record<string, string>;
  taints?: Taint[];
  allocatable: ResourceAmounts & { pods: number };
  /** What every cluster's running pods on the node requested: clusters share nodes only through this. */
  requested: ResourceAmounts & { pods: number };
  /**
   * The same with kube-scheduler's non-zero defaults for containers that request nothing (`scoringRequests`),
   * which scoring reads: pods that ask for nothing spread over the nodes instead of piling on the first.
   */
  scoringRequested?: ResourceAmounts;
  /**
   * The pod's own cluster's live pods on the node, for pod affinity and preemption. Other clusters' pods
   * are never listed: a tenant can neither be constrained by them nor preempt them.
   */
  pods?: Pod[];
  /**
   * Pending pods of any cluster that preempted for this node and wait for it: they hold their requests
   * against pods of lower priority, so that the room they made is not taken from them.
   */
  nominated?: NominatedPod[];
}

export interface NominatedPod {
  uid: string;
  priority: number;
  requests: ResourceAmounts;
}

/** Everything the plan reads besides the pod: the nodes and the labels of the cluster's namespaces. */
export interface ClusterView {
  nodes: NodeCandidate[];
  namespaceLabels: Record<string, Record<string, string>>;
}

export function priorityOf(pod: Pod): number {
  return typeof pod.spec.priority === "number" ? pod.spec.priority : 0;
}
