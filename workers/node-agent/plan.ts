import { createHash } from "node:crypto";
import type { Container, Pod } from "../../core/k8s/types";
import type { ObservedContainer, ObservedPod } from "./runtime";

/** What the agent must do to a pod's containers, in order. Computed purely from desired and observed. */
export type Action =
  | { kind: "runSandbox"; attempt: number }
  | { kind: "runContainer"; name: string; attempt: number }
  | { kind: "stop"; id: string; graceSeconds: number }
  | { kind: "remove"; id: string }
  /** The last step of a graceful deletion: remove the pod object itself. */
  | { kind: "deletePod" };

export interface Plan {
  actions: Action[];
  /** Look again after this long (back-off expiry, missing image). */
  requeueAfterMs?: number;
}

const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
/** A container that ran this long before exiting restarts without back-off, as in the kubelet. */
const BACKOFF_RESET_MS = 600_000;
const IMAGE_RECHECK_MS = 10_000;

/** Identifies a container spec: when it changes (a new image, say), the container is replaced. */
export function containerHash(c: Container): string {
  return createHash("sha256").update(JSON.stringify(c)).digest("hex").slice(0, 16);
}

export function latest(instances: ObservedContainer[]): ObservedContainer | undefined {
  return instances.reduce<ObservedContainer | undefined>(
    (a, b) => (!a || b.attempt > a.attempt ? b : a),
    undefined,
  );
}

export function instancesOf(observed: ObservedPod | undefined, name: string): ObservedContainer[] {
  return (observed?.containers ?? []).filter((c) => c.name === name);
}

function ranFor(c: ObservedContainer): number {
  if (!c.startedAt || !c.finishedAt) return 0;
  return Date.parse(c.finishedAt) - Date.parse(c.startedAt);
}

/** The CrashLoopBackOff delay before the restart that follows `exited`: 0, 10 s, 20 s … 5 min. */
export function backoffMs(exited: ObservedContainer): number {
  if (exited.attempt === 0 || ranFor(exited) >= BACKOFF_RESET_MS) return 0;
  return Math.min(BACKOFF_INITIAL_MS * 2 ** (exited.attempt - 1), BACKOFF_MAX_MS);
}

export function wantsRestart(pod: Pod, exited: ObservedContainer): boolean {
  const policy = pod.spec.restartPolicy ?? "Always";
  return policy === "Always" || (policy === "OnFailure" && exited.exitCode !== 0);
}

/** Milliseconds left before `exited` may restart; 0 when it may restart now. */
export function backoffRemaining(exited: ObservedContainer, now: Date): number {
  if (!exited.finishedAt) return 0;
  return Math.max(0, Date.parse(exited.finishedAt) + backoffMs(exited) - now.getTime());
}

function isLive(c: ObservedContainer): boolean {
  return c.state === "running" || c.state === "created";
}

/** Stop what runs, remove everything; when a pod object exists it is deleted last. */
function planTeardown(pod: Pod | undefined, observed: ObservedPod | undefined, now: Date): Plan {
  const actions: Action[] = [];
  const deadline = pod?.metadata.deletionTimestamp
    ? Date.parse(pod.metadata.deletionTimestamp)
    : now.getTime();
  const grace = Math.max(0, Math.ceil((deadline - now.getTime()) / 1000));
  for (const c of observed?.containers ?? [])
    if (isLive(c)) actions.push({ kind: "stop", id: c.id, graceSeconds: grace });
  for (const s of observed?.sandboxes ?? [])
    if (isLive(s)) actions.push({ kind: "stop", id: s.id, graceSeconds: 0 });
  for (const c of [...(observed?.containers ?? []), ...(observed?.sandboxes ?? [])]) {
    actions.push({ kind: "remove", id: c.id });
  }
  if (pod) actions.push({ kind: "deletePod" });
  return { actions };
}

/** The longest a sleeping pod's containers are given to stop: a cluster falls asleep in seconds. */
export const SLEEP_GRACE_MAX_SECONDS = 10;

/**
 * A pod of a sleeping cluster: its containers stopped (with its grace period, at most
 * SLEEP_GRACE_MAX_SECONDS) and removed with its sandbox; its object, status and volumes stay for its wake-up.
 */
export function planSleep(pod: Pod, observed: ObservedPod | undefined): Action[] {
  const grace = Math.min(pod.spec.terminationGracePeriodSeconds ?? 30, SLEEP_GRACE_MAX_SECONDS);
  const actions: Action[] = [];
  for (const c of observed?.containers ?? [])
    if (isLive(c)) actions.push({ kind: "stop", id: c.id, graceSeconds: grace });
  for (const s of observed?.sandboxes ?? [])
    if (isLive(s)) actions.push({ kind: "stop", id: s.id, graceSeconds: 0 });
  for (const c of [...(observed?.containers ?? []), ...(observed?.sandboxes ?? [])])
    actions.push({ kind: "remove", id: c.id });
  return actions;
}

/** Removes instances older than the one before the latest: `logs --previous` needs exactly one. */
function pruneOld(observed: ObservedPod | undefined, spec: Container[], actions: Action[]): void {
  for (const c of spec) {
    const newest = latest(instancesOf(observed, c.name));
    if (!newest) continue;
    for (const old of instancesOf(observed, c.name)) {
      if (old.attempt < newest.attempt - 1 && !isLive(old)) actions.push({ kind: "remove", id: old.id });
    }
  }
  const sandbox = latest(observed?.sandboxes ?? []);
  for (const s of observed?.sandboxes ?? []) {
    if (s !== sandbox && !isLive(s)) actions.push({ kind: "remove", id: s.id });
  }
}

/**
 * Converges one pod, like the kubelet's syncPod: a sandbox first, then every container, restarted as the
 * restartPolicy says with CrashLoopBackOff; a pod being deleted (or gone) is torn down. Idempotent.
 */
export function planPodSync(
  pod: Pod | undefined,
  observed: ObservedPod | undefined,
  missingImages: ReadonlySet<string>,
  now: Date,
): Plan {
  if (!pod || pod.metadata.deletionTimestamp) return planTeardown(pod, observed, now);
  const actions: Action[] = [];
  const sandbox = latest(observed?.sandboxes ?? []);
  const terminal = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
  if (terminal) {
    for (const c of [...(observed?.containers ?? []), ...(observed?.sandboxes ?? [])]) {
      if (isLive(c)) actions.push({ kind: "stop", id: c.id, graceSeconds: 0 });
    }
    return { actions };
  }

  const sandboxReady = sandbox?.state === "running";
  let requeueAfterMs: number | undefined;
  const wait = (ms: number) => {
    requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms);
  };
  const toRun: Action[] = [];
  const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
  // init containers run one at a time, each to success, before any app container
  let initialised = true;
  for (const c of pod.spec.initContainers ?? []) {
    const newest = latest(instancesOf(observed, c.name));
    if (newest?.state === "exited" && newest.exitCode === 0) continue;
    initialised = false;
    if (newest?.state === "running" && sandboxReady) break;
    if (newest && newest.state !== "exited") actions.push({ kind: "remove", id: newest.id });
    if (newest?.state === "exited") {
      if ((pod.spec.restartPolicy ?? "Always") === "Never") break; // the pod fails (see status.ts)
      const remaining = backoffRemaining(newest, now);
      if (remaining > 0) {
        wait(remaining);
        break;
      }
    }
    if (c.image && missingImages.has(c.image)) {
      wait(IMAGE_RECHECK_MS);
      break;
    }
    toRun.push({ kind: "runContainer", name: c.name, attempt: newest ? newest.attempt + 1 : 0 });
    break;
  }
  for (const c of initialised ? pod.spec.containers : []) {
    const newest = latest(instancesOf(observed, c.name));
    if (newest?.state === "running" && sandboxReady) {
      if (!newest.hash || newest.hash === containerHash(c)) continue;
      // the spec changed (kubectl set image, apply): stop this one, its successor starts below
      actions.push({ kind: "stop", id: newest.id, graceSeconds: grace });
      toRun.push({ kind: "runContainer", name: c.name, attempt: newest.attempt + 1 });
      continue;
    }
    if (newest && newest.state !== "exited") {
      // created but never started, or running in a dead sandbox: replace it
      actions.push({ kind: "remove", id: newest.id });
    }
    if (newest?.state === "exited" && !wantsRestart(pod, newest)) continue;
    if (c.image && missingImages.has(c.image)) {
      wait(IMAGE_RECHECK_MS);
      continue;
    }
    if (newest?.state === "exited") {
      const remaining = backoffRemaining(newest, now);
      if (remaining > 0) {
        wait(remaining);
        continue;
      }
    }
    toRun.push({ kind: "runContainer", name: c.name, attempt: newest ? newest.attempt + 1 : 0 });
  }
  // ephemeral containers join a running pod once, and are never restarted
  for (const c of initialised && sandboxReady ? (pod.spec.ephemeralContainers ?? []) : []) {
    if (latest(instancesOf(observed, c.name))) continue;
    if (c.image && missingImages.has(c.image)) {
      wait(IMAGE_RECHECK_MS);
      continue;
    }
    toRun.push({ kind: "runContainer", name: c.name, attempt: 0 });
  }
  if (toRun.length > 0 && !sandboxReady) {
    if (sandbox && isLive(sandbox)) actions.push({ kind: "remove", id: sandbox.id });
    actions.push({ kind: "runSandbox", attempt: sandbox ? sandbox.attempt + 1 : 0 });
  }
  actions.push(...toRun);
  pruneOld(observed, [...(pod.spec.initContainers ?? []), ...pod.spec.containers], actions);
  return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs };
}
