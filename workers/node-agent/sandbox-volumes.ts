import { posix } from "node:path";
import type { Container } from "../../core/k8s/types";
import type { ArchiveEntry } from "./archive";
import { containerMounts, type PlannedVolume } from "./volumes";

/** Where the sandbox mounts the pod's own volumes; the agent writes there, and measures emptyDirs there. */
export const SANDBOX_VOLUMES = "/.timonier";

/** A pod-scoped Docker volume as the sandbox mounts it. */
export interface SandboxVolume {
  /** The pod volume it is, or is a subPath of. */
  volume: string;
  /** The Docker volume. */
  source: string;
  /** Under SANDBOX_VOLUMES: `volumes/<volume>`, or `subpaths/<Docker volume>` for a subPath's own volume. */
  path: string;
}

/**
 * The pod-scoped volumes the sandbox holds for the pod's lifetime: every emptyDir and populated volume,
 * and the volumes that stand for the containers' subPaths of an emptyDir. Held by the sandbox, a tmpfs
 * outlives a restart of the only container that mounts it, as an emptyDir does; and the agent can set
 * their owners, write their files and measure them through it without running anything of the pod's.
 */
export function sandboxVolumes(planned: PlannedVolume[], containers: Container[]): SandboxVolume[] {
  const out: SandboxVolume[] = planned
    .filter((v) => v.scope === "pod")
    .map((v) => ({ volume: v.name, source: v.docker, path: `volumes/${v.name}` }));
  const seen = new Set(out.map((v) => v.source));
  for (const container of containers)
    for (const mount of containerMounts(container, planned).mounts) {
      const parent = planned.find(
        (v) => v.scope === "pod" && !v.populated && mount.source.startsWith(`${v.docker}-sub-`),
      );
      if (!parent || seen.has(mount.source)) continue;
      seen.add(mount.source);
      out.push({ volume: parent.name, source: mount.source, path: `subpaths/${mount.source}` });
    }
  return out;
}

/** Files with the directories above them, as a tar needs them to create nested paths. */
export function withDirectories(files: ArchiveEntry[]): ArchiveEntry[] {
  const dirs = new Set<string>();
  for (const f of files) {
    let dir = posix.dirname(f.name);
    while (dir !== "." && dir !== "/" && !dirs.has(dir)) {
      dirs.add(dir);
      dir = posix.dirname(dir);
    }
  }
  return [...[...dirs].sort().map((name) => ({ name, mode: 0o755 })), ...files];
}

/**
 * A read-only volume's files as the kubelet leaves them for an fsGroup: group-owned by it and
 * group-readable, directories also group-searchable and setgid.
 */
export function withFsGroup(entries: ArchiveEntry[], fsGroup: number | undefined): ArchiveEntry[] {
  if (fsGroup === undefined) return entries;
  return entries.map((e) => ({
    ...e,
    gid: fsGroup,
    mode: e.content === undefined ? (e.mode ?? 0o755) | 0o2550 : (e.mode ?? 0o644) | 0o440,
  }));
}

/**
 * What the agent writes under SANDBOX_VOLUMES before the pod's containers start: each disk emptyDir's root
 * (and its subPaths') world-writable as the kubelet creates it, 0777 — with an fsGroup, group-owned by it
 * and setgid, so that what the containers create there belongs to the group too — and each populated
 * volume's files. A memory emptyDir gets its mode and group from its tmpfs options instead: Docker
 * unmounts a tmpfs between uses, which could lose them.
 */
export function sandboxArchive(
  held: SandboxVolume[],
  planned: PlannedVolume[],
  files: ReadonlyMap<string, ArchiveEntry[]>,
  fsGroup: number | undefined,
): ArchiveEntry[] {
  const group = fsGroup === undefined ? {} : { gid: fsGroup };
  const entries: ArchiveEntry[] = [];
  for (const v of held) {
    const volume = planned.find((p) => p.name === v.volume);
    if (!volume || volume.tmpfsBytes) continue;
    if (!volume.populated) {
      entries.push({ name: `${v.path}/`, mode: fsGroup === undefined ? 0o777 : 0o2777, ...group });
      continue;
    }
    entries.push(...withFsGroup([{ name: `${v.path}/`, mode: 0o755 }], fsGroup));
    const inside = withFsGroup(withDirectories(files.get(v.volume) ?? []), fsGroup);
    entries.push(...inside.map((e) => ({ ...e, name: `${v.path}/${e.name}` })));
  }
  return entries;
}
