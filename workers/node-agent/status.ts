import type {
  ContainerState,
  ContainerStatus,
  Pod,
  PodCondition,
  PodPhase,
  PodStatus,
} from "../../core/k8s/types";
import { EVICTED } from "./eviction";
import { backoffMs, backoffRemaining, instancesOf, latest, wantsRestart } from "./plan";
import type { ProbeResults } from "./prober";
import type { ObservedContainer, ObservedPod } from "./runtime";

function terminated(c: ObservedContainer): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: c.oomKilled ? "OOMKilled" : c.exitCode === 0 ? "Completed" : "Error",
      ...(c.startedAt ? { startedAt: c.startedAt } : {}),
      ...(c.finishedAt ? { finishedAt: c.finishedAt } : {}),
      containerID: `docker://${c.id}`,
    },
  };
}

/**
 * What the agent knows beyond the runtime's containers: containers it could not create for their
 * configuration (CreateContainerConfigError, the kubelet's message by container name), and a pod it
 * evicted (the kubelet's message), which is Failed with reason Evicted.
 */
export interface PodProblems {
  configErrors?: ReadonlyMap<string, string>;
  evicted?: string;
}

function containerStatus(
  pod: Pod,
  name: string,
  image: string,
  observed: ObservedPod | undefined,
  missingImages: ReadonlySet<string>,
  now: Date,
  probes: ProbeResults | undefined,
  problems: PodProblems = {},
): ContainerStatus {
  const instances = instancesOf(observed, name);
  const newest = latest(instances);
  const previous = newest ? instances.find((c) => c.attempt === newest.attempt - 1) : undefined;
  const base = { name, image, imageID: "", restartCount: newest?.attempt ?? 0, ready: false, started: false };
  const configError = problems.configErrors?.get(name);
  if (configError !== undefined && newest?.state !== "running") {
    // the kubelet retries the creation at every sync: the container waits, its last run as it ended
    const waiting = { reason: "CreateContainerConfigError", message: configError };
    const last = newest?.state === "exited" ? terminated(newest) : previous ? terminated(previous) : {};
    return { ...base, state: { waiting }, lastState: last };
  }
  if (!newest) {
    const waiting = missingImages.has(image)
      ? {
          reason: "ErrImageNeverPull",
          message: `Container image "${image}" is not present with pull policy of Never`,
        }
      : { reason: "ContainerCreating" };
    return { ...base, state: { waiting }, lastState: {} };
  }
  const ids = {
    imageID: newest.imageId ? `docker://${newest.imageId}` : "",
    containerID: `docker://${newest.id}`,
  };
  const lastState = previous ? terminated(previous) : {};
  if (newest.state === "running") {
    const spec = pod.spec.containers.find((c) => c.name === name);
    const uid = pod.metadata.uid ?? "";
    const started = !spec?.startupProbe || probes?.started(uid, name) === true;
    const ready = started && (!spec?.readinessProbe || probes?.ready(uid, name) === true);
    return {
      ...base,
      ...ids,
      ready,
      started,
      state: { running: { ...(newest.startedAt ? { startedAt: newest.startedAt } : {}) } },
      lastState,
    };
  }
  if (
    !problems.evicted &&
    newest.state === "exited" &&
    wantsRestart(pod, newest) &&
    backoffRemaining(newest, now) > 0
  ) {
    const delay = backoffMs(newest) / 1000;
    return {
      ...base,
      ...ids,
      state: {
        waiting: {
          reason: "CrashLoopBackOff",
          message: `back-off ${delay}s restarting failed container=${name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
        },
      },
      lastState: terminated(newest),
    };
  }
  if (newest.state === "exited") return { ...base, ...ids, state: terminated(newest), lastState };
  return { ...base, ...ids, state: { waiting: { reason: "ContainerCreating" } }, lastState };
}

function phaseOf(pod: Pod, statuses: ContainerStatus[], observed: ObservedPod | undefined): PodPhase {
  const policy = pod.spec.restartPolicy ?? "Always";
  const allTerminated = statuses.every((s) => s.state.terminated);
  if (allTerminated && policy !== "Always") {
    const failed = statuses.some((s) => (s.state.terminated?.exitCode ?? 0) !== 0);
    if (!failed) return "Succeeded";
    if (policy === "Never") return "Failed";
  }
  const everStarted = pod.spec.containers.every((c) => instancesOf(observed, c.name).length > 0);
  return everStarted ? "Running" : "Pending";
}

function condition(
  previous: PodCondition[] | undefined,
  type: string,
  ok: boolean,
  now: string,
  reason?: string,
): PodCondition {
  const status = ok ? "True" : "False";
  const before = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: before?.status === status ? before.lastTransitionTime : now,
    ...(reason && !ok ? { reason } : {}),
  };
}

/**
 * The pod status the kubelet would report for what the runtime holds: phase, container statuses with
 * restart counts and states, IPs and conditions. Transition times only move when a condition changes.
 */
export function podStatus(
  pod: Pod,
  observed: ObservedPod | undefined,
  missingImages: ReadonlySet<string>,
  hostIP: string,
  now: Date,
  probes?: ProbeResults,
  problems: PodProblems = {},
): PodStatus {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const previous = pod.status ?? {};
  // an evicted pod is reported once more, after its containers are killed
  if ((previous.phase === "Succeeded" || previous.phase === "Failed") && !problems.evicted) return previous;
  const statusOf = (c: { name: string; image?: string }) =>
    containerStatus(pod, c.name, c.image ?? "", observed, missingImages, now, probes, problems);
  const inits = (pod.spec.initContainers ?? []).map((c) => {
    const newest = latest(instancesOf(observed, c.name));
    const status = statusOf(c);
    if (newest?.state === "exited" && newest.exitCode === 0)
      return { ...status, state: terminated(newest), ready: true, started: false };
    return { ...status, ready: false, started: status.state.running !== undefined };
  });
  const initialised = inits.every((s) => s.state.terminated?.exitCode === 0);
  const initFailed =
    (pod.spec.restartPolicy ?? "Always") === "Never" &&
    inits.some((s) => (s.state.terminated?.exitCode ?? 0) !== 0);
  const statuses = pod.spec.containers.map((c) => {
    const status = statusOf(c);
    return initialised ? status : { ...status, state: { waiting: { reason: "PodInitializing" } } };
  });
  const ephemeral = (pod.spec.ephemeralContainers ?? []).map((c) => ({
    ...containerStatus(pod, c.name, c.image ?? "", observed, missingImages, now, undefined, problems),
    ready: false,
  }));
  const phase = problems.evicted
    ? "Failed"
    : initFailed
      ? "Failed"
      : initialised
        ? phaseOf(pod, statuses, observed)
        : "Pending";
  const sandbox = latest(observed?.sandboxes ?? []);
  const sandboxUp = sandbox?.state === "running";
  const allReady = statuses.every((s) => s.ready);
  const notReady = statuses.filter((s) => !s.ready).map((s) => s.name);
  const podIP = sandboxUp ? sandbox?.ip : undefined;
  const conditions = [
    condition(previous.conditions, "PodReadyToStartContainers", sandboxUp, stamp),
    initialised
      ? condition(previous.conditions, "Initialized", true, stamp)
      : {
          ...condition(previous.conditions, "Initialized", false, stamp, "ContainersNotInitialized"),
          message: `containers with incomplete status: [${inits
            .filter((i) => i.state.terminated?.exitCode !== 0)
            .map((i) => i.name)
            .join(" ")}]`,
        },
    condition(previous.conditions, "Ready", allReady && phase === "Running", stamp, "ContainersNotReady"),
    condition(
      previous.conditions,
      "ContainersReady",
      allReady && phase === "Running",
      stamp,
      "ContainersNotReady",
    ),
    condition(previous.conditions, "PodScheduled", true, stamp),
  ].map((c) =>
    c.status === "False" && c.reason === "ContainersNotReady"
      ? { ...c, message: `containers with unready status: [${notReady.join(" ")}]` }
      : c,
  );
  return {
    ...previous,
    phase,
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: previous.startTime ?? stamp,
    ...(inits.length ? { initContainerStatuses: inits } : {}),
    containerStatuses: statuses,
    ...(ephemeral.length ? { ephemeralContainerStatuses: ephemeral } : {}),
    ...(problems.evicted ? { reason: EVICTED, message: problems.evicted } : {}),
  };
}
