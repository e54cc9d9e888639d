import { posix } from "node:path";
import type { PersistentVolume, PersistentVolumeClaim } from "../../core/k8s/storage/types";
import type { Container, KubeObject, Pod } from "../../core/k8s/types";
import type { ObjectStore } from "../../db/store";
import type { ArchiveEntry } from "./archive";
import type { Mount, PodIdentity, PodRuntime } from "./runtime";
import {
  SANDBOX_VOLUMES,
  type SandboxVolume,
  sandboxArchive,
  sandboxVolumes,
  withDirectories,
  withFsGroup,
} from "./sandbox-volumes";
import { fsGroupOf } from "./security";
import {
  containerMounts,
  dataSources,
  type PlannedVolume,
  planVolumes,
  type VolumeData,
  type VolumeSource,
  volumeFiles,
} from "./volumes";

/** A pod's volumes, planned and with their files read: what starting its containers needs. */
export interface PreparedVolumes {
  planned: PlannedVolume[];
  files: Map<string, ArchiveEntry[]>;
  /** What the sandbox mounts (see sandboxVolumes). */
  held: SandboxVolume[];
  /** The pod's fsGroup, which owns what the pod writes. */
  fsGroup?: number;
}

/**
 * The volumes of the pods on this node as Docker volumes: emptyDir per pod (tmpfs for medium Memory),
 * hostPath and claims per cluster (never the host's disk), configMap/secret/downwardAPI/projected files
 * written through the sandbox, which mounts them.
 */
export class PodVolumes {
  constructor(
    private readonly runtime: PodRuntime,
    private readonly store: ObjectStore,
    /** The cap on a memory-backed emptyDir (TIMONIER_MAX_MEMORY_EMPTYDIR). */
    private readonly maxMemoryEmptyDirBytes?: number,
  ) {}

  /** Plans the pod's volumes and reads their data; names the volume that cannot be set up yet. */
  async prepare(pod: Pod, clusterId: string): Promise<PreparedVolumes | { volume: string; message: string }> {
    const claims = await this.claims(pod, clusterId);
    if ("message" in claims) return claims;
    const planned = planVolumes(pod, clusterId, claims, this.maxMemoryEmptyDirBytes);
    const files = new Map<string, ArchiveEntry[]>();
    const fsGroup = fsGroupOf(pod);
    const held = sandboxVolumes(planned, [...(pod.spec.initContainers ?? []), ...pod.spec.containers]);
    const prepared = { planned, files, held, ...(fsGroup !== undefined ? { fsGroup } : {}) };
    if (!planned.some((v) => v.populated)) return prepared;
    const data = await this.data(pod, clusterId);
    for (const volume of (pod.spec.volumes as VolumeSource[] | undefined) ?? []) {
      if (!planned.find((v) => v.name === volume.name)?.populated) continue;
      const result = volumeFiles(pod, volume, data);
      if ("missing" in result) return { volume: volume.name, message: result.missing };
      files.set(volume.name, result.files);
    }
    return prepared;
  }

  /** Creates the Docker volumes of the pod, of what its sandbox holds and of the given containers' subPaths. */
  async ensure(prepared: PreparedVolumes, identity: PodIdentity, containers: Container[]): Promise<void> {
    const subVolumes = [
      ...prepared.held.map((h) => ({
        source: h.source,
        tmpfsBytes: prepared.planned.find((v) => v.name === h.volume)?.tmpfsBytes,
      })),
      ...containers.flatMap((c) => containerMounts(c, prepared.planned).mounts),
    ];
    const specs = new Map<string, { tmpfsBytes?: number; podScoped: boolean }>();
    for (const v of prepared.planned)
      specs.set(v.docker, {
        podScoped: v.scope === "pod",
        ...(v.tmpfsBytes ? { tmpfsBytes: v.tmpfsBytes } : {}),
      });
    for (const m of subVolumes)
      if (!specs.has(m.source))
        specs.set(m.source, {
          podScoped: prepared.planned.find((v) => m.source.startsWith(v.docker))?.scope === "pod",
          ...(m.tmpfsBytes ? { tmpfsBytes: m.tmpfsBytes } : {}),
        });
    await Promise.all(
      [...specs].map(([name, spec]) =>
        this.runtime.ensureVolume({
          name,
          clusterId: identity.clusterId,
          ...(spec.podScoped ? { podUid: identity.uid } : {}),
          ...(spec.tmpfsBytes ? { tmpfsBytes: spec.tmpfsBytes } : {}),
          ...(spec.tmpfsBytes && spec.podScoped && prepared.fsGroup !== undefined
            ? { tmpfsGid: prepared.fsGroup }
            : {}),
        }),
      ),
    );
  }

  /** The sandbox's mounts: what it holds for the pod (see sandboxVolumes). */
  sandboxMounts(prepared: PreparedVolumes): Mount[] {
    return prepared.held.map((v) => ({
      source: v.source,
      target: `${SANDBOX_VOLUMES}/${v.path}`,
      readOnly: false,
    }));
  }

  /** Sets the owners of the pod's writable volumes and writes its populated ones, in one archive. */
  async populate(sandboxId: string, prepared: PreparedVolumes): Promise<void> {
    const entries = sandboxArchive(prepared.held, prepared.planned, prepared.files, prepared.fsGroup);
    if (entries.length) await this.runtime.putFiles(sandboxId, SANDBOX_VOLUMES, entries);
  }

  /** A container's mounts, and what to copy into it before it starts (subPaths of populated volumes). */
  forContainer(
    prepared: PreparedVolumes,
    container: Container,
  ): { mounts: Mount[]; copy(containerId: string): Promise<void> } {
    const { mounts, copies } = containerMounts(container, prepared.planned);
    return {
      mounts: mounts.map(({ source, target, readOnly }) => ({ source, target, readOnly })),
      copy: async (containerId) => {
        for (const c of copies) {
          const files = prepared.files.get(c.volume) ?? [];
          const file = files.find((f) => f.name === c.subPath);
          if (file)
            await this.runtime.putFiles(
              containerId,
              posix.dirname(c.target),
              withFsGroup([{ ...file, name: posix.basename(c.target) }], prepared.fsGroup),
            );
          else {
            const prefix = `${c.subPath.replace(/\/+$/, "")}/`;
            const inside = files
              .filter((f) => f.name.startsWith(prefix))
              .map((f) => ({ ...f, name: f.name.slice(prefix.length) }));
            await this.runtime.putFiles(
              containerId,
              posix.dirname(c.target),
              withFsGroup(
                [
                  { name: posix.basename(c.target), mode: 0o755 },
                  ...withDirectories(inside).map((f) => ({
                    ...f,
                    name: `${posix.basename(c.target)}/${f.name}`,
                  })),
                ],
                prepared.fsGroup,
              ),
            );
          }
        }
      },
    };
  }

  /** The PersistentVolume bound to each claim the pod mounts, or why one cannot be used yet. */
  private async claims(
    pod: Pod,
    clusterId: string,
  ): Promise<Map<string, PersistentVolume> | { volume: string; message: string }> {
    const out = new Map<string, PersistentVolume>();
    for (const v of (pod.spec.volumes as VolumeSource[] | undefined) ?? []) {
      const claimName = v.persistentVolumeClaim?.claimName;
      if (!claimName) continue;
      const claim = (await this.store.get({
        clusterId,
        group: "",
        resource: "persistentvolumeclaims",
        namespace: pod.metadata.namespace ?? "",
        name: claimName,
      })) as PersistentVolumeClaim | undefined;
      if (!claim) return { volume: v.name, message: `persistentvolumeclaim "${claimName}" not found` };
      const volumeName = claim.status?.phase === "Bound" ? claim.spec.volumeName : undefined;
      const pv = volumeName
        ? ((await this.store.get({
            clusterId,
            group: "",
            resource: "persistentvolumes",
            namespace: "",
            name: volumeName,
          })) as PersistentVolume | undefined)
        : undefined;
      if (!pv) return { volume: v.name, message: `persistentvolumeclaim "${claimName}" is not bound` };
      out.set(claimName, pv);
    }
    return out;
  }

  private async data(pod: Pod, clusterId: string): Promise<VolumeData> {
    const namespace = pod.metadata.namespace ?? "";
    const { configMaps, secrets } = dataSources(pod);
    const read = async (resource: "configmaps" | "secrets", name: string) => {
      const obj = (await this.store.get({ clusterId, group: "", resource, namespace, name })) as
        | (KubeObject & { data?: Record<string, string> })
        | undefined;
      if (!obj) return [name, undefined] as const;
      const entries = Object.entries(obj.data ?? {});
      const decoded =
        resource === "secrets" ? entries.map(([k, v]) => [k, Buffer.from(v, "base64").toString()]) : entries;
      return [name, Object.fromEntries(decoded) as Record<string, string>] as const;
    };
    return {
      configMaps: new Map(await Promise.all(configMaps.map((n) => read("configmaps", n)))),
      secrets: new Map(await Promise.all(secrets.map((n) => read("secrets", n)))),
    };
  }
}
