import {
  DEFAULT_CLASS_ANNOTATION,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from "../../../core/k8s/storage/types";
import { AGE, column, NAME, type Printer } from "./columns";
import { since } from "./duration";

const MODES: Record<string, string> = {
  ReadWriteOnce: "RWO",
  ReadOnlyMany: "ROX",
  ReadWriteMany: "RWX",
  ReadWriteOncePod: "RWOP",
};
const accessModes = (modes: string[] | undefined) => (modes ?? []).map((m) => MODES[m] ?? m).join(",");
const ATTRIBUTES_CLASS = column("VolumeAttributesClass", "The volume attributes class of the volume");
const VOLUME_MODE = column("VolumeMode", "The volume mode", { priority: 1 });

export const STORAGE_PRINTERS: Record<string, Printer> = {
  PersistentVolumeClaim: {
    columns: [
      NAME,
      column("Status", "The phase of the claim"),
      column("Volume", "The volume bound to the claim"),
      column("Capacity", "The capacity of the bound volume"),
      column("Access Modes", "The access modes of the bound volume"),
      column("StorageClass", "The storage class of the claim"),
      ATTRIBUTES_CLASS,
      AGE,
      VOLUME_MODE,
    ],
    row: (o, now) => {
      const claim = o as PersistentVolumeClaim;
      return [
        claim.metadata.name,
        claim.status?.phase ?? "Pending",
        claim.spec.volumeName ?? "",
        claim.status?.capacity?.storage ?? "",
        accessModes(claim.status?.accessModes),
        claim.spec.storageClassName ?? "<unset>",
        "<unset>",
        since(claim.metadata.creationTimestamp, now),
        claim.spec.volumeMode ?? "Filesystem",
      ];
    },
  },
  PersistentVolume: {
    columns: [
      NAME,
      column("Capacity", "The capacity of the volume"),
      column("Access Modes", "The access modes of the volume"),
      column("Reclaim Policy", "What happens to the volume when its claim is deleted"),
      column("Status", "The phase of the volume"),
      column("Claim", "The claim bound to the volume"),
      column("StorageClass", "The storage class of the volume"),
      ATTRIBUTES_CLASS,
      column("Reason", "Why the volume is in this phase"),
      AGE,
      VOLUME_MODE,
    ],
    row: (o, now) => {
      const volume = o as PersistentVolume;
      const ref = volume.spec.claimRef;
      return [
        volume.metadata.name,
        volume.spec.capacity?.storage ?? "",
        accessModes(volume.spec.accessModes),
        volume.spec.persistentVolumeReclaimPolicy ?? "Retain",
        volume.status?.phase ?? "Pending",
        ref ? `${ref.namespace}/${ref.name}` : "",
        volume.spec.storageClassName ?? "",
        "<unset>",
        "",
        since(volume.metadata.creationTimestamp, now),
        volume.spec.volumeMode ?? "Filesystem",
      ];
    },
  },
  StorageClass: {
    columns: [
      NAME,
      column("Provisioner", "Indicates the type of the provisioner."),
      column("ReclaimPolicy", "Indicates the type of the reclaim policy."),
      column("VolumeBindingMode", "Indicates the type of the volume binding mode."),
      column("AllowVolumeExpansion", "Indicates whether the storage class allow volume expand.", {
        type: "boolean",
      }),
      AGE,
    ],
    row: (o, now) => {
      const sc = o as StorageClass;
      const isDefault = sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true";
      return [
        `${sc.metadata.name}${isDefault ? " (default)" : ""}`,
        sc.provisioner,
        sc.reclaimPolicy ?? "Delete",
        sc.volumeBindingMode ?? "Immediate",
        sc.allowVolumeExpansion ?? false,
        since(sc.metadata.creationTimestamp, now),
      ];
    },
  },
};
