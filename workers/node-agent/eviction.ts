import { memoryBytes } from "../../core/k8s/requests";
import type { Pod } from "../../core/k8s/types";
import type { Action } from "./plan";
import type { ObservedPod } from "./runtime";
import { SANDBOX_VOLUMES, sandboxVolumes } from "./sandbox-volumes";
import { planVolumes, type VolumeSource } from "./volumes";

/** The kubelet's reason for a pod it evicts. */
export const EVICTED = "Evicted";
/** How long the kubelet gives an evicted pod's containers (its immediateEvictionGracePeriodSeconds). */
const EVICTION_GRACE_SECONDS = 1;

/** A disk emptyDir with a sizeLimit, and where its sandbox holds it and its subPaths. */
export interface LimitedEmptyDir {
  volume: string;
  /** The sizeLimit as the pod gives it, for the kubelet's message. */
  limit: string;
  limitBytes: number;
  paths: string[];
}

/**
 * The emptyDirs of a pod whose usage the agent watches: on disk (a memory one is a tmpfs of at most its
 * sizeLimit, which cannot exceed it), with a positive sizeLimit.
 */
export function limitedEmptyDirs(pod: Pod, clusterId: string): LimitedEmptyDir[] {
  const limited = ((pod.spec.volumes as VolumeSource[] | undefined) ?? []).filter(
    (v) => v.emptyDir && v.emptyDir.medium !== "Memory" && memoryBytes(v.emptyDir.sizeLimit ?? "0") > 0,
  );
  if (limited.length === 0) return [];
  const held = sandboxVolumes(planVolumes(pod, clusterId), [
    ...(pod.spec.initContainers ?? []),
    ...pod.spec.containers,
  ]);
  return limited.map((v) => ({
    volume: v.name,
    limit: v.emptyDir?.sizeLimit ?? "",
    limitBytes: memoryBytes(v.emptyDir?.sizeLimit ?? "0"),
    paths: held.filter((h) => h.volume === v.name).map((h) => `${SANDBOX_VOLUMES}/${h.path}`),
  }));
}

/**
 * How the agent measures them, run in the pod's sandbox: `du`, which counts the blocks used as the
 * kubelet's own measure does, without crossing into other mounts. The sandbox is the platform's image,
 * root with the default capabilities, so nothing the pod does to its files or its images can hide them
 * from it, and the walk costs only the limited pod's files.
 */
export function usageCommand(dirs: LimitedEmptyDir[]): string[] {
  return ["du", "-s", "-x", "-k", ...dirs.flatMap((d) => d.paths)];
}

/** `du -s -k` output as bytes per path; a path du could not read is absent. */
export function parseUsage(output: string): Map<string, number> {
  const usage = new Map<string, number>();
  for (const line of output.split("\n")) {
    const match = /^(\d+)\t(.+)$/.exec(line.trim());
    if (match?.[1] && match[2]) usage.set(match[2], Number(match[1]) * 1024);
  }
  return usage;
}

/**
 * The kubelet's emptyDir limit eviction: the first emptyDir whose usage (its own and its subPaths')
 * exceeds its sizeLimit evicts the pod, with the kubelet's message; undefined when none does or usage is
 * unknown.
 */
export function emptyDirEviction(
  dirs: LimitedEmptyDir[],
  usage: ReadonlyMap<string, number>,
): string | undefined {
  for (const dir of dirs) {
    const measured = dir.paths.filter((p) => usage.has(p));
    if (measured.length === 0) continue;
    const used = measured.reduce((sum, p) => sum + (usage.get(p) ?? 0), 0);
    if (used > dir.limitBytes)
      return `Usage of EmptyDir volume ${JSON.stringify(dir.volume)} exceeds the limit ${JSON.stringify(dir.limit)}. `;
  }
  return undefined;
}

/** Kills an evicted pod as the kubelet does: its containers with a second's grace, then its sandbox. */
export function planEviction(observed: ObservedPod | undefined): Action[] {
  const live = (state: string) => state === "running" || state === "created";
  return [
    ...(observed?.containers ?? [])
      .filter((c) => live(c.state))
      .map((c): Action => ({ kind: "stop", id: c.id, graceSeconds: EVICTION_GRACE_SECONDS })),
    ...(observed?.sandboxes ?? [])
      .filter((s) => live(s.state))
      .map((s): Action => ({ kind: "stop", id: s.id, graceSeconds: 0 })),
  ];
}
