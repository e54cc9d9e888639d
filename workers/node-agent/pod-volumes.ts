import { posix } from "node:path";
import { inClusterCa } from "../../core/in-cluster-ca";
import { ROOT_CA_CONFIGMAP } from "../../core/k8s/service-account-volume";
import type { PersistentVolume, PersistentVolumeClaim } from "../../core/k8s/storage/types";
import type { Container, KubeObject, Pod } from "../../core/k8s/types";
import { issueServiceAccountToken, TOKEN_ISSUER } from "../../core/service-account-tokens";
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
  tokenSeconds,
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
  /** When the ServiceAccount tokens written with these files are due for renewal (80% of their life). */
  renewal?: { uid: string; at: number };
}

/** kubelet renews a projected token once 80% of its life has passed. */
const RENEW_AT = 0.8;
/** TokenRequest's shortest lifetime. */
const MIN_TOKEN_SECONDS = 600;

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
    /** The platform's token secret, which signs ServiceAccount tokens; none issued without it. */
    private readonly tokens?: { secret: string; now: () => Date },
  ) {}

  /** Pod uid → when its tokens are due for renewal; a pod unknown here (the agent restarted) is due now. */
  private readonly renewals = new Map<string, number>();

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
    const seconds = tokenSeconds(pod);
    if (seconds === undefined || !this.tokens) return prepared;
    const at = this.tokens.now().getTime() + Math.max(seconds, MIN_TOKEN_SECONDS) * 1000 * RENEW_AT;
    return { ...prepared, renewal: { uid: pod.metadata.uid ?? "", at } };
  }

  /**
   * Writes fresh ServiceAccount tokens (with the rest of their volumes' files) into a running pod once
   * its tokens are due, as kubelet does; how long until they are due next, or undefined for a pod with
   * none. A volume that cannot be set up now is tried again shortly.
   */
  async renewTokens(pod: Pod, clusterId: string, sandboxId: string): Promise<number | undefined> {
    if (tokenSeconds(pod) === undefined || !this.tokens) return undefined;
    const uid = pod.metadata.uid ?? "";
    const now = this.tokens.now().getTime();
    const due = this.renewals.get(uid) ?? now;
    if (due > now) return due - now;
    const prepared = await this.prepare(pod, clusterId);
    if ("message" in prepared) return 2_000;
    const renewed = prepared.planned.filter((v) =>
      ((pod.spec.volumes as VolumeSource[] | undefined) ?? []).some(
        (s) => s.name === v.name && s.projected?.sources?.some((x) => x.serviceAccountToken),
      ),
    );
    await this.populate(sandboxId, {
      ...prepared,
      held: prepared.held.filter((h) => renewed.some((v) => v.name === h.volume)),
    });
    return (prepared.renewal?.at ?? now) - now;
  }

  /** The pod is gone from the node: nothing of it to renew. */
  forget(uid: string): void {
    this.renewals.delete(uid);
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
    if (prepared.renewal) this.renewals.set(prepared.renewal.uid, prepared.renewal.at);
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

  /** Tokens of the pod's ServiceAccount, bound to the pod and to the account's current uid (a recreated account's differ). */
  private async tokenIssuer(pod: Pod, clusterId: string): Promise<VolumeData["token"]> {
    const tokens = this.tokens;
    if (!tokens || tokenSeconds(pod) === undefined) return undefined;
    const namespace = pod.metadata.namespace ?? "";
    const name = (pod.spec.serviceAccountName as string | undefined) ?? "default";
    const account = await this.store.get({
      clusterId,
      group: "",
      resource: "serviceaccounts",
      namespace,
      name,
    });
    return (audience, seconds) =>
      account
        ? issueServiceAccountToken(
            tokens.secret,
            {
              clusterId,
              namespace,
              name,
              uid: account.metadata.uid ?? "",
              boundTo: { kind: "pod", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" },
            },
            {
              now: tokens.now(),
              seconds: Math.max(seconds, MIN_TOKEN_SECONDS),
              audiences: [audience ?? TOKEN_ISSUER],
            },
          )
        : { missing: `serviceaccounts "${name}" not found` };
  }

  private async data(pod: Pod, clusterId: string): Promise<VolumeData> {
    const token = await this.tokenIssuer(pod, clusterId);
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
    const maps = new Map(await Promise.all(configMaps.map((n) => read("configmaps", n))));
    // a namespace just made may not hold its CA yet: the agent knows what the publisher will write there
    if (this.tokens && maps.has(ROOT_CA_CONFIGMAP) && !maps.get(ROOT_CA_CONFIGMAP))
      maps.set(ROOT_CA_CONFIGMAP, { "ca.crt": (await inClusterCa(this.tokens.secret)).cert });
    return {
      configMaps: maps,
      secrets: new Map(await Promise.all(secrets.map((n) => read("secrets", n)))),
      ...(token ? { token } : {}),
    };
  }
}
