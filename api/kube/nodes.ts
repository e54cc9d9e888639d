import { mergeTaints } from "../../core/k8s/scheduling/taints";
import type { Taint } from "../../core/k8s/scheduling/types";
import { rfc3339 } from "../../core/k8s/time";
import type { KubeObject } from "../../core/k8s/types";
import { isNodeReady, NEVER, type NodeRow, nodeLabels, platformTaints } from "../../db/nodes";
import type { ApiDeps } from "../env";
import { KUBE_VERSION } from "./discovery";

/** A platform node as each virtual cluster sees it: a v1 Node whose Ready follows the agent heartbeat. */
export function nodeObject(row: NodeRow, now: Date): KubeObject {
  const ready = isNodeReady(row, now);
  const heartbeat = rfc3339(row.heartbeatAt);
  const condition = (
    type: string,
    status: string,
    reason: string,
    message: string,
    since = row.createdAt,
  ) => ({
    type,
    status,
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: rfc3339(since),
    reason,
    message,
  });
  const taints = platformTaints(row);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: row.name,
      uid: row.uid,
      resourceVersion: String(row.resourceVersion),
      creationTimestamp: rfc3339(row.createdAt),
      labels: nodeLabels(row),
    },
    spec: { ...(row.unschedulable ? { unschedulable: true } : {}), ...(taints.length ? { taints } : {}) },
    status: {
      capacity: row.capacity,
      allocatable: row.allocatable,
      conditions: [
        condition(
          "MemoryPressure",
          "False",
          "KubeletHasSufficientMemory",
          "kubelet has sufficient memory available",
        ),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ready
          ? condition(
              "Ready",
              "True",
              "KubeletReady",
              "kubelet is posting ready status",
              row.readyTransitionAt,
            )
          : row.heartbeatAt.getTime() === NEVER.getTime()
            ? condition("Ready", "Unknown", "NodeStatusNeverUpdated", "Kubelet never posted node status.")
            : condition(
                "Ready",
                "Unknown",
                "NodeStatusUnknown",
                "Kubelet stopped posting node status.",
                row.readyTransitionAt,
              ),
      ],
      addresses: row.addresses,
      daemonEndpoints: { kubeletEndpoint: { Port: Number(row.agentUrl?.split(":").pop()) || 10250 } },
      nodeInfo: {
        machineID: row.info.machineID ?? "",
        systemUUID: row.uid,
        bootID: row.info.bootID ?? "",
        kernelVersion: row.info.kernelVersion ?? "",
        osImage: row.info.osImage ?? "",
        containerRuntimeVersion: row.info.containerRuntimeVersion ?? "docker",
        kubeletVersion: KUBE_VERSION.gitVersion,
        kubeProxyVersion: KUBE_VERSION.gitVersion,
        operatingSystem: "linux",
        architecture: row.info.architecture ?? "amd64",
      },
    },
  };
}

/**
 * The platform's nodes as one cluster sees them: what the cluster wrote on a node (`kubectl cordon`,
 * `label`, `annotate`, taints) is kept as that cluster's own view and laid over the platform's node, so
 * no student can cordon a node for the others.
 */
export async function nodeObjects(
  deps: Pick<ApiDeps, "nodes" | "now" | "store">,
  clusterId: string,
): Promise<KubeObject[]> {
  const now = deps.now();
  const { items: views } = await deps.store.list({ clusterId, group: "", resource: "nodes" });
  return (await deps.nodes.list()).map((row) => {
    const node = nodeObject(row, now);
    const view = views.find((v) => v.metadata.name === row.name);
    if (!view) return node;
    return {
      ...node,
      metadata: {
        ...node.metadata,
        resourceVersion: view.metadata.resourceVersion,
        labels: { ...node.metadata.labels, ...view.metadata.labels },
        ...(view.metadata.annotations ? { annotations: view.metadata.annotations } : {}),
      },
      spec: clusterSpec(row, view.spec as NodeSpec | undefined),
    };
  });
}

interface NodeSpec {
  taints?: Taint[];
  [field: string]: unknown;
}

function clusterSpec(row: NodeRow, own: NodeSpec | undefined): NodeSpec {
  const taints = mergeTaints(platformTaints(row), own?.taints);
  const { taints: _, ...rest } = own ?? {};
  if (row.unschedulable) rest.unschedulable = true;
  return taints.length ? { ...rest, taints } : rest;
}

/**
 * Keeps what a cluster may change on a node (labels, annotations, spec) as its view of that node. The
 * platform admin's cordon (`spec.unschedulable`, through any cluster's API with the admin token) is the
 * platform's node's own: it holds for every cluster, as `kubectl cordon` on a real node does. A student's
 * cordon stays in their cluster's view, so no student can stop the others' pods from landing on a node.
 */
export async function writeNodeView(
  deps: Pick<ApiDeps, "store" | "nodes">,
  clusterId: string,
  node: KubeObject,
  byAdmin = false,
): Promise<void> {
  const name = node.metadata.name as string;
  const row = await deps.nodes.get(name);
  const spec = { ...(node.spec as NodeSpec | undefined) };
  if (row && byAdmin) {
    const unschedulable = spec.unschedulable === true;
    if (unschedulable !== row.unschedulable) await deps.nodes.modify(name, { unschedulable });
    delete spec.unschedulable;
  } else if (row?.unschedulable && spec.unschedulable === true) delete spec.unschedulable;
  // the platform's taints stay the platform's: only what the cluster added is its own
  const platform = row ? platformTaints({ ...row, unschedulable: row.unschedulable || byAdmin }) : [];
  const own = (spec.taints ?? []).filter(
    (t) =>
      !platform.some((p) => p.key === t.key && p.effect === t.effect && (p.value ?? "") === (t.value ?? "")),
  );
  if (own.length) spec.taints = own;
  else delete spec.taints;
  const key = { clusterId, group: "", resource: "nodes", namespace: "", name };
  const view: KubeObject = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      ...(node.metadata.labels ? { labels: node.metadata.labels } : {}),
      ...(node.metadata.annotations ? { annotations: node.metadata.annotations } : {}),
    },
    spec,
  };
  if (await deps.store.get(key)) await deps.store.update(key, view);
  else await deps.store.create(key, view);
}
