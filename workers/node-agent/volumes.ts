import { createHash } from "node:crypto";
import { memoryBytes } from "../../core/k8s/requests";
import type { PersistentVolume } from "../../core/k8s/storage/types";
import type { Container, Pod } from "../../core/k8s/types";
import type { ArchiveEntry } from "./archive";
import { fieldValue, resourceFieldValue } from "./downward";

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}
interface DataSource {
  name: string;
  items?: KeyToPath[];
  optional?: boolean;
}
interface DownwardItem {
  path: string;
  mode?: number;
  fieldRef?: { fieldPath: string };
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string };
}
interface ServiceAccountTokenSource {
  audience?: string;
  expirationSeconds?: number;
  path: string;
}
interface ProjectedSource {
  configMap?: DataSource;
  secret?: DataSource;
  downwardAPI?: { items?: DownwardItem[] };
  serviceAccountToken?: ServiceAccountTokenSource;
}
/** A pod's volume as the API holds it (the sources this platform mounts). */
export interface VolumeSource {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  hostPath?: { path: string; type?: string };
  configMap?: DataSource & { defaultMode?: number };
  secret?: Omit<DataSource, "name"> & { secretName: string; defaultMode?: number };
  downwardAPI?: { items?: DownwardItem[]; defaultMode?: number };
  projected?: { sources?: ProjectedSource[]; defaultMode?: number };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

/** How a pod volume lives on the Docker host. */
export interface PlannedVolume {
  name: string;
  /** The Docker volume's name. */
  docker: string;
  /** Pod-scoped volumes go with the pod; host paths and claims outlive it. */
  scope: "pod" | "cluster";
  /** emptyDir with medium Memory: a tmpfs of this size (see memoryEmptyDirBytes). */
  tmpfsBytes?: number;
  /** configMap, secret, downwardAPI and projected volumes: files the agent writes. */
  populated: boolean;
  /** Mounted read-only whatever the mount says (configMap, secret, downwardAPI, projected). */
  readOnly: boolean;
}

/** The platform's default cap on a memory-backed emptyDir (TIMONIER_MAX_MEMORY_EMPTYDIR). */
export const DEFAULT_MAX_MEMORY_EMPTYDIR_BYTES = 512 * 1024 * 1024;

/**
 * The pod's memory limit as its cgroup would have it: the sum of its containers' limits, or an init
 * container's if larger; none when a container has no limit.
 */
export function podMemoryLimit(pod: Pod): number | undefined {
  const limit = (c: Container) => {
    const quantity = c.resources?.limits?.memory;
    return quantity ? memoryBytes(quantity) : 0;
  };
  const limits = pod.spec.containers.map(limit);
  if (limits.some((l) => l <= 0)) return undefined;
  const inits = (pod.spec.initContainers ?? []).map(limit);
  if (inits.some((l) => l <= 0)) return undefined;
  return Math.max(
    limits.reduce((a, b) => a + b, 0),
    ...inits,
  );
}

/**
 * The size of a memory-backed emptyDir's tmpfs. The kubelet sizes it at the smallest of the node's
 * allocatable memory, the pod's memory limit and the volume's sizeLimit; here the platform's maximum stands
 * for the node's memory, which every cluster's pods share, so a sizeLimit of 200Gi is not a 200 GiB tmpfs.
 */
export function memoryEmptyDirBytes(pod: Pod, sizeLimit: string | undefined, maxBytes: number): number {
  const candidates = [maxBytes, podMemoryLimit(pod) ?? maxBytes, sizeLimit ? memoryBytes(sizeLimit) : 0];
  return Math.min(...candidates.filter((b) => b > 0));
}

const short = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 12);

const hostVolume = (clusterId: string, path: string) =>
  `timonier-${clusterId}-host-${short(path.replace(/\/+$/, "") || "/")}`;

/**
 * Docker volume names: per pod for pod-scoped volumes, per cluster for host paths and claims (a claim's
 * volume is its bound PersistentVolume's: a hostPath one shares the path's Docker volume).
 */
export function planVolumes(
  pod: Pod,
  clusterId: string,
  claims: Map<string, PersistentVolume> = new Map(),
  maxMemoryEmptyDirBytes = DEFAULT_MAX_MEMORY_EMPTYDIR_BYTES,
): PlannedVolume[] {
  const uid = pod.metadata.uid ?? "";
  const volumes = (pod.spec.volumes as VolumeSource[] | undefined) ?? [];
  return volumes.map((v) => {
    const podScoped = (extra: Partial<PlannedVolume> = {}): PlannedVolume => ({
      name: v.name,
      docker: `timonier-${clusterId}-pod-${uid}-${v.name}`,
      scope: "pod",
      populated: false,
      readOnly: false,
      ...extra,
    });
    if (v.hostPath)
      return {
        name: v.name,
        docker: hostVolume(clusterId, v.hostPath.path),
        scope: "cluster",
        populated: false,
        readOnly: false,
      };
    if (v.persistentVolumeClaim) {
      const pv = claims.get(v.persistentVolumeClaim.claimName);
      const path = pv?.spec.hostPath?.path ?? pv?.spec.local?.path;
      return {
        name: v.name,
        docker: path ? hostVolume(clusterId, path) : `timonier-${clusterId}-pv-${pv?.metadata.name}`,
        scope: "cluster",
        populated: false,
        readOnly: v.persistentVolumeClaim.readOnly ?? false,
      };
    }
    if (v.emptyDir?.medium === "Memory")
      return podScoped({
        tmpfsBytes: memoryEmptyDirBytes(pod, v.emptyDir.sizeLimit, maxMemoryEmptyDirBytes),
      });
    if (v.configMap || v.secret || v.downwardAPI || v.projected)
      return podScoped({ populated: true, readOnly: true });
    return podScoped();
  });
}

/** The data a populated volume needs, fetched by the caller: ConfigMaps' and Secrets' decoded data. */
export interface VolumeData {
  configMaps: Map<string, Record<string, string> | undefined>;
  secrets: Map<string, Record<string, string> | undefined>;
  /** A bound token of the pod's ServiceAccount for the audience and lifetime, or why none can be had. */
  token?: (audience: string | undefined, seconds: number) => { token: string } | { missing: string };
}

/** kubelet's default lifetime of a projected token, when the source names none. */
const DEFAULT_TOKEN_SECONDS = 3600;

/** How long the tokens of a pod's projected volumes live: the shortest, or none when it has none. */
export function tokenSeconds(pod: Pod): number | undefined {
  const lives = ((pod.spec.volumes as VolumeSource[] | undefined) ?? []).flatMap((v) =>
    (v.projected?.sources ?? []).flatMap((s) =>
      s.serviceAccountToken ? [s.serviceAccountToken.expirationSeconds ?? DEFAULT_TOKEN_SECONDS] : [],
    ),
  );
  return lives.length ? Math.min(...lives) : undefined;
}

/** The ConfigMaps and Secrets a pod's volumes read. */
export function dataSources(pod: Pod): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const v of (pod.spec.volumes as VolumeSource[] | undefined) ?? []) {
    if (v.configMap) configMaps.add(v.configMap.name);
    if (v.secret) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap) configMaps.add(s.configMap.name);
      if (s.secret) secrets.add(s.secret.name);
    }
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}

export type VolumeFiles = { files: ArchiveEntry[] } | { missing: string };

function keyedFiles(
  kind: "configmap" | "secret",
  source: DataSource,
  data: Record<string, string> | undefined,
  mode: number,
): VolumeFiles {
  if (!data) return source.optional ? { files: [] } : { missing: `${kind} "${source.name}" not found` };
  const items: KeyToPath[] = source.items ?? Object.keys(data).map((key) => ({ key, path: key }));
  const files: ArchiveEntry[] = [];
  for (const item of items) {
    const content = data[item.key];
    if (content === undefined) {
      if (source.optional) continue;
      return {
        missing:
          kind === "configmap"
            ? `configmap references non-existent config key: ${item.key}`
            : `references non-existent secret key: ${item.key}`,
      };
    }
    files.push({ name: item.path, content, mode: item.mode ?? mode });
  }
  return { files };
}

function downwardFiles(pod: Pod, items: DownwardItem[], mode: number): ArchiveEntry[] {
  return items.map((item) => ({
    name: item.path,
    content:
      (item.fieldRef
        ? fieldValue(pod, item.fieldRef.fieldPath)
        : item.resourceFieldRef
          ? resourceFieldValue(pod, item.resourceFieldRef)
          : undefined) ?? "",
    mode: item.mode ?? mode,
  }));
}

function tokenFile(source: ServiceAccountTokenSource, data: VolumeData, mode: number): VolumeFiles {
  const issued = data.token?.(source.audience, source.expirationSeconds ?? DEFAULT_TOKEN_SECONDS) ?? {
    missing: "service account tokens are not issued on this node",
  };
  return "missing" in issued ? issued : { files: [{ name: source.path, content: issued.token, mode }] };
}

/** The files of a configMap, secret, downwardAPI or projected volume, or why it cannot be set up. */
export function volumeFiles(pod: Pod, volume: VolumeSource, data: VolumeData): VolumeFiles {
  if (volume.configMap)
    return keyedFiles(
      "configmap",
      volume.configMap,
      data.configMaps.get(volume.configMap.name),
      volume.configMap.defaultMode ?? 0o644,
    );
  if (volume.secret) {
    const { secretName, ...rest } = volume.secret;
    return keyedFiles(
      "secret",
      { ...rest, name: secretName },
      data.secrets.get(secretName),
      volume.secret.defaultMode ?? 0o644,
    );
  }
  if (volume.downwardAPI)
    return {
      files: downwardFiles(pod, volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode ?? 0o644),
    };
  const mode = volume.projected?.defaultMode ?? 0o644;
  const files: ArchiveEntry[] = [];
  for (const source of volume.projected?.sources ?? []) {
    const part = source.configMap
      ? keyedFiles("configmap", source.configMap, data.configMaps.get(source.configMap.name), mode)
      : source.secret
        ? keyedFiles("secret", source.secret, data.secrets.get(source.secret.name), mode)
        : source.serviceAccountToken
          ? tokenFile(source.serviceAccountToken, data, mode)
          : { files: downwardFiles(pod, source.downwardAPI?.items ?? [], mode) };
    if ("missing" in part) return part;
    files.push(...part.files);
  }
  return { files };
}

/** A Docker mount of a container, or files copied into it (a subPath into a populated volume). */
export interface ContainerMounts {
  mounts: { source: string; target: string; readOnly: boolean; tmpfsBytes?: number }[];
  /** Populated-volume subPaths: the file copied to the mount path before the container starts. */
  copies: { volume: string; subPath: string; target: string }[];
}

/**
 * Where each of a container's volumeMounts comes from. A subPath of an emptyDir, host path or claim gets a
 * Docker volume of its own (Docker 20.10 cannot mount a volume's subdirectory), shared by every mount of the
 * same subPath.
 */
export function containerMounts(container: Container, volumes: PlannedVolume[]): ContainerMounts {
  const out: ContainerMounts = { mounts: [], copies: [] };
  for (const m of (container.volumeMounts as VolumeMount[] | undefined) ?? []) {
    const volume = volumes.find((v) => v.name === m.name);
    if (!volume) continue;
    const readOnly = volume.readOnly || (m.readOnly ?? false);
    if (m.subPath && volume.populated)
      out.copies.push({ volume: m.name, subPath: m.subPath, target: m.mountPath });
    else
      out.mounts.push({
        source: m.subPath ? `${volume.docker}-sub-${short(m.subPath)}` : volume.docker,
        target: m.mountPath,
        readOnly,
        ...(volume.tmpfsBytes ? { tmpfsBytes: volume.tmpfsBytes } : {}),
      });
  }
  return out;
}
