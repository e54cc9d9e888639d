import type { StructuredLabelSelector } from "../selectors";
import type { KubeObject } from "../types";

export interface PersistentVolumeClaim extends KubeObject {
  spec: {
    accessModes?: string[];
    resources?: { requests?: { storage?: string }; limits?: { storage?: string } };
    storageClassName?: string | null;
    volumeName?: string;
    volumeMode?: string;
    selector?: StructuredLabelSelector;
  };
  status?: { phase?: "Pending" | "Bound" | "Lost"; accessModes?: string[]; capacity?: { storage?: string } };
}

export interface ClaimRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export interface PersistentVolume extends KubeObject {
  spec: {
    capacity?: { storage?: string };
    accessModes?: string[];
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: "Retain" | "Delete" | "Recycle";
    volumeMode?: string;
    claimRef?: ClaimRef;
    hostPath?: { path: string; type?: string };
    local?: { path: string };
    [source: string]: unknown;
  };
  status?: { phase?: "Pending" | "Available" | "Bound" | "Released" | "Failed"; message?: string };
}

export interface StorageClass extends KubeObject {
  provisioner: string;
  reclaimPolicy?: "Retain" | "Delete";
  volumeBindingMode?: "Immediate" | "WaitForFirstConsumer";
  allowVolumeExpansion?: boolean;
  parameters?: Record<string, string>;
}

/** The provisioner of the platform's own storage: a directory on the cluster's node volumes. */
export const PROVISIONER = "timonier.io/local-path";
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
/** Where provisioned volumes live, as hostPath volumes (minikube's and kind's provisioners do the same). */
export const PROVISIONED_ROOT = "/var/lib/timonier/volumes";

/** The StorageClass every cluster is born with, marked default. */
export function defaultStorageClass(): StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "standard", annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
    provisioner: PROVISIONER,
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
  };
}
