import type { Pod } from "./types";

/** Why a pod needs a teacher's eye, in the words `kubectl get pods` and `describe` would show. */
export interface PodTrouble {
  namespace: string;
  pod: string;
  reason: string;
  message?: string;
}

/** Waiting reasons that mean a container will not run without a change. */
const STUCK = new Set([
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "ErrImagePull",
  "ErrImageNeverPull",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
]);

interface ContainerView {
  state?: { waiting?: { reason?: string; message?: string } };
  lastState?: { terminated?: { reason?: string } };
}

/**
 * What is wrong with a pod, if anything: a container stuck waiting (CrashLoopBackOff, ImagePullBackOff, …),
 * one last killed for memory (OOMKilled), a pod the scheduler cannot place (Pending, with its message), a
 * failed or evicted pod. Pure.
 */
export function podTrouble(pod: Pod): PodTrouble | undefined {
  const at = { namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name ?? "" };
  const status = pod.status ?? {};
  const containers = [
    ...((status.initContainerStatuses as ContainerView[] | undefined) ?? []),
    ...((status.containerStatuses as ContainerView[] | undefined) ?? []),
  ];
  for (const c of containers) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && STUCK.has(waiting.reason))
      return { ...at, reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) };
  }
  if (containers.some((c) => c.lastState?.terminated?.reason === "OOMKilled"))
    return { ...at, reason: "OOMKilled" };
  const unscheduled = (
    status.conditions as { type: string; status: string; message?: string }[] | undefined
  )?.find((c) => c.type === "PodScheduled" && c.status === "False");
  if (status.phase === "Pending" && unscheduled)
    return {
      ...at,
      reason: "Unschedulable",
      ...(unscheduled.message ? { message: unscheduled.message } : {}),
    };
  if (status.phase === "Failed")
    return {
      ...at,
      reason: (status.reason as string | undefined) ?? "Failed",
      ...(status.message ? { message: status.message as string } : {}),
    };
  return undefined;
}

/** How many pods are in each phase. */
export function podPhases(pods: Pod[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pods) {
    const phase = p.status?.phase ?? "Pending";
    out[phase] = (out[phase] ?? 0) + 1;
  }
  return out;
}
