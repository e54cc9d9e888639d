import type { PersistentVolume, PersistentVolumeClaim } from "../storage/types";
import { genericStrategy } from "./generic";
import type { Strategy } from "./strategy";

/** Claims start Pending in Filesystem mode; the PersistentVolume controller binds them. */
export const claimStrategy: Strategy = {
  ...genericStrategy,
  create(obj, ctx) {
    const claim = genericStrategy.create(obj, ctx) as PersistentVolumeClaim;
    claim.spec.volumeMode ??= "Filesystem";
    claim.status = { phase: "Pending" };
    return claim;
  },
};

/** Volumes start Pending; the PersistentVolume controller makes them Available or Bound. */
export const volumeStrategy: Strategy = {
  ...genericStrategy,
  create(obj, ctx) {
    const volume = genericStrategy.create(obj, ctx) as PersistentVolume;
    volume.spec.volumeMode ??= "Filesystem";
    volume.spec.persistentVolumeReclaimPolicy ??= "Retain";
    volume.status = { phase: "Pending" };
    return volume;
  },
};
