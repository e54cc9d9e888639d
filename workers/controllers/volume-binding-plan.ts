import { memoryBytes } from "../../core/k8s/requests";
import { fromStructured, matchesLabels } from "../../core/k8s/selectors";
import {
  type ClaimRef,
  DEFAULT_CLASS_ANNOTATION,
  type PersistentVolume,
  type PersistentVolumeClaim,
  PROVISIONED_ROOT,
  PROVISIONER,
  type StorageClass,
} from "../../core/k8s/storage/types";

export interface BindingEvent {
  about: PersistentVolumeClaim | PersistentVolume;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** What the PersistentVolume controller writes in one pass over a cluster's claims and volumes. */
export interface BindingPlan {
  /** Provisioned volumes, already bound to their claim. */
  createVolumes: PersistentVolume[];
  /** Volumes whose claimRef or phase change. */
  updateVolumes: PersistentVolume[];
  deleteVolumes: string[];
  /** Claims whose storageClassName, volumeName or status change. */
  updateClaims: PersistentVolumeClaim[];
  events: BindingEvent[];
}

const storageOf = (q: string | undefined) => (q ? memoryBytes(q) : 0);
const claimKey = (ns: string | undefined, name: string | undefined) => `${ns}/${name}`;

function defaultClass(classes: StorageClass[]): StorageClass | undefined {
  return classes
    .filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true")
    .sort((a, b) =>
      (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""),
    )[0];
}

function claimRefOf(claim: PersistentVolumeClaim): ClaimRef {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    namespace: claim.metadata.namespace ?? "",
    name: claim.metadata.name ?? "",
    ...(claim.metadata.uid ? { uid: claim.metadata.uid } : {}),
  };
}

/** Whether an unclaimed volume can serve a claim: class, size, access modes, volume mode and selector. */
export function volumeFits(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  if ((volume.spec.storageClassName ?? "") !== (claim.spec.storageClassName ?? "")) return false;
  if (storageOf(volume.spec.capacity?.storage) < storageOf(claim.spec.resources?.requests?.storage))
    return false;
  const modes = volume.spec.accessModes ?? [];
  if (!(claim.spec.accessModes ?? []).every((m) => modes.includes(m))) return false;
  if ((volume.spec.volumeMode ?? "Filesystem") !== (claim.spec.volumeMode ?? "Filesystem")) return false;
  return !claim.spec.selector || matchesLabels(fromStructured(claim.spec.selector), volume.metadata.labels);
}

function boundStatus(volume: PersistentVolume): PersistentVolumeClaim["status"] {
  return {
    phase: "Bound",
    accessModes: volume.spec.accessModes ?? [],
    capacity: { storage: volume.spec.capacity?.storage ?? "0" },
  };
}

/**
 * The PersistentVolume controller's decisions for a cluster, after kube-controller-manager's: a claim with no
 * class gets the default one; a pending claim binds the smallest fitting available volume, or a volume is
 * provisioned for it when its class is the platform's; a volume whose claim is gone is released, and deleted
 * when its reclaim policy says Delete. Pure.
 */
export function planBinding(
  claims: PersistentVolumeClaim[],
  volumes: PersistentVolume[],
  classes: StorageClass[],
): BindingPlan {
  const plan: BindingPlan = {
    createVolumes: [],
    updateVolumes: [],
    deleteVolumes: [],
    updateClaims: [],
    events: [],
  };
  const fallback = defaultClass(classes);
  const claimsByKey = new Map(claims.map((c) => [claimKey(c.metadata.namespace, c.metadata.name), c]));
  const free = volumes.filter((v) => !v.spec.claimRef && !v.metadata.deletionTimestamp);
  const updatedVolumes = new Map<string, PersistentVolume>();

  for (const volume of volumes) {
    const ref = volume.spec.claimRef;
    const claim = ref ? claimsByKey.get(claimKey(ref.namespace, ref.name)) : undefined;
    const gone = ref?.uid !== undefined && (!claim || claim.metadata.uid !== ref.uid);
    const phase = !ref ? "Available" : gone ? "Released" : "Bound";
    if (gone && volume.spec.persistentVolumeReclaimPolicy === "Delete") {
      plan.deleteVolumes.push(volume.metadata.name ?? "");
      continue;
    }
    if (volume.status?.phase !== phase)
      updatedVolumes.set(volume.metadata.name ?? "", { ...volume, status: { phase } });
  }

  for (const claim of claims) {
    if (claim.metadata.deletionTimestamp) continue;
    let next = claim;
    if (next.spec.storageClassName === undefined && fallback)
      next = { ...next, spec: { ...next.spec, storageClassName: fallback.metadata.name ?? "" } };
    const bound = next.spec.volumeName
      ? volumes.find((v) => v.metadata.name === next.spec.volumeName)
      : undefined;
    if (bound) {
      if (next.status?.phase !== "Bound") next = { ...next, status: boundStatus(bound) };
      if (!bound.spec.claimRef) {
        free.splice(free.indexOf(bound), 1);
        updatedVolumes.set(bound.metadata.name ?? "", {
          ...bound,
          spec: { ...bound.spec, claimRef: claimRefOf(next) },
          status: { phase: "Bound" },
        });
      }
    } else if (!next.spec.volumeName) {
      const candidates = free
        .filter((v) => volumeFits(v, next))
        .sort((a, b) => storageOf(a.spec.capacity?.storage) - storageOf(b.spec.capacity?.storage));
      const volume = candidates[0];
      const storageClass = classes.find((c) => c.metadata.name === next.spec.storageClassName);
      if (volume) {
        free.splice(free.indexOf(volume), 1);
        updatedVolumes.set(volume.metadata.name ?? "", {
          ...volume,
          spec: { ...volume.spec, claimRef: claimRefOf(next) },
          status: { phase: "Bound" },
        });
        next = {
          ...next,
          spec: { ...next.spec, volumeName: volume.metadata.name ?? "" },
          status: boundStatus(volume),
        };
      } else if (storageClass?.provisioner === PROVISIONER && next.metadata.uid) {
        const provisioned = provision(next, storageClass);
        plan.createVolumes.push(provisioned);
        plan.events.push({
          about: next,
          type: "Normal",
          reason: "ProvisioningSucceeded",
          message: `Successfully provisioned volume ${provisioned.metadata.name}`,
        });
        next = {
          ...next,
          spec: { ...next.spec, volumeName: provisioned.metadata.name ?? "" },
          status: boundStatus(provisioned),
        };
      } else {
        if (next.status?.phase !== "Pending") next = { ...next, status: { phase: "Pending" } };
        plan.events.push({
          about: next,
          type: storageClass || !next.spec.storageClassName ? "Normal" : "Warning",
          reason: storageClass || !next.spec.storageClassName ? "FailedBinding" : "ProvisioningFailed",
          message:
            storageClass || !next.spec.storageClassName
              ? "no persistent volumes available for this claim and no storage class is set"
              : `storageclass.storage.k8s.io "${next.spec.storageClassName}" not found`,
        });
      }
    }
    if (next !== claim) plan.updateClaims.push(next);
  }
  plan.updateVolumes = [...updatedVolumes.values()];
  return plan;
}

/** A volume for a claim of the platform's class: a directory of the cluster's node volumes. */
function provision(claim: PersistentVolumeClaim, storageClass: StorageClass): PersistentVolume {
  const name = `pvc-${claim.metadata.uid}`;
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name,
      annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER },
    },
    spec: {
      capacity: { storage: claim.spec.resources?.requests?.storage ?? "1Gi" },
      accessModes: claim.spec.accessModes ?? ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? "Delete",
      storageClassName: storageClass.metadata.name ?? "",
      volumeMode: claim.spec.volumeMode ?? "Filesystem",
      claimRef: claimRefOf(claim),
      hostPath: {
        path: `${PROVISIONED_ROOT}/${claim.metadata.namespace}/${name}`,
        type: "DirectoryOrCreate",
      },
    },
    status: { phase: "Bound" },
  };
}
