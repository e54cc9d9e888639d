import type { ContainerStatus, Pod } from "../../../core/k8s/types";
import { AGE, type Column, column, NAME } from "./columns";
import { humanDuration, since } from "./duration";

export const POD_COLUMNS: Column[] = [
  NAME,
  column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
  column("Status", "The aggregate status of the containers in this pod."),
  column(
    "Restarts",
    "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
  ),
  AGE,
  column(
    "IP",
    "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
    {
      priority: 1,
    },
  ),
  column("Node", "NodeName indicates in which node this pod is scheduled.", { priority: 1 }),
  column("Nominated Node", "nominatedNodeName is set when this pod preempts other pods on the node.", {
    priority: 1,
  }),
  column("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", {
    priority: 1,
  }),
];

function terminatedReason(s: ContainerStatus, prefix = ""): string {
  const t = s.state.terminated;
  if (!t) return "";
  if (t.reason) return `${prefix}${t.reason}`;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode}`;
}

/** The STATUS, READY and RESTARTS cells, computed the way kube-apiserver's pod printer does. */
export function podSummary(pod: Pod, now: Date): { ready: string; status: string; restarts: string } {
  const status = pod.status ?? {};
  let reason: string = status.reason || status.phase || "";
  let restarts = 0;
  let lastRestart = 0;
  const noteRestart = (s: ContainerStatus) => {
    restarts += s.restartCount;
    const finished = s.lastState.terminated?.finishedAt;
    if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished));
  };
  const inits = status.initContainerStatuses ?? [];
  let initializing = false;
  for (const [i, s] of inits.entries()) {
    noteRestart(s);
    if (s.state.terminated?.exitCode === 0) continue;
    initializing = true;
    if (s.state.terminated) reason = terminatedReason(s, "Init:");
    else if (s.state.waiting?.reason && s.state.waiting.reason !== "PodInitializing")
      reason = `Init:${s.state.waiting.reason}`;
    else reason = `Init:${i}/${pod.spec.initContainers?.length ?? inits.length}`;
    break;
  }
  let readyCount = 0;
  const initialized = status.conditions?.some((c) => c.type === "Initialized" && c.status === "True");
  if (!initializing || initialized) {
    restarts = 0;
    let hasRunning = false;
    for (const s of [...(status.containerStatuses ?? [])].reverse()) {
      noteRestart(s);
      if (s.state.waiting?.reason) reason = s.state.waiting.reason;
      else if (s.state.terminated) reason = terminatedReason(s);
      else if (s.ready && s.state.running) {
        hasRunning = true;
        readyCount++;
      }
    }
    if (reason === "Completed" && hasRunning) {
      reason = status.conditions?.some((c) => c.type === "Ready" && c.status === "True")
        ? "Running"
        : "NotReady";
    }
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === "NodeLost" ? "Unknown" : "Terminating";
  const restartCell = lastRestart
    ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`
    : String(restarts);
  return { ready: `${readyCount}/${pod.spec.containers.length}`, status: reason, restarts: restartCell };
}

export function podRow(pod: Pod, now: Date): unknown[] {
  const s = podSummary(pod, now);
  const gates = (pod.spec.readinessGates as unknown[] | undefined)?.length;
  return [
    pod.metadata.name,
    s.ready,
    s.status,
    s.restarts,
    since(pod.metadata.creationTimestamp, now),
    pod.status?.podIP || "<none>",
    pod.spec.nodeName || "<none>",
    (pod.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName || "<none>",
    gates ? `0/${gates}` : "<none>",
  ];
}
