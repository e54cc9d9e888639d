import { isDeepStrictEqual } from "node:util";
import { type FieldError, fieldErrors } from "../validation/field-errors";
import type { PersistentVolume, PersistentVolumeClaim } from "./types";

const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];
const VOLUME_SOURCES = ["hostPath", "local", "nfs", "csi", "iscsi", "fc", "cephfs", "rbd", "glusterfs"];

function accessModes(modes: string[] | undefined): FieldError[] {
  if (!modes?.length) return [fieldErrors.required("spec.accessModes", "at least 1 access mode is required")];
  return modes.flatMap((m, i) =>
    ACCESS_MODES.includes(m) ? [] : [fieldErrors.notSupported(`spec.accessModes[${i}]`, m, ACCESS_MODES)],
  );
}

export function validateClaim(claim: PersistentVolumeClaim): FieldError[] {
  const errors = accessModes(claim.spec?.accessModes);
  if (!claim.spec?.resources?.requests?.storage) errors.push(fieldErrors.required("spec.resources[storage]"));
  return errors;
}

/** A claim's spec is fixed once created, but for a larger storage request. */
export function validateClaimUpdate(
  next: PersistentVolumeClaim,
  current: PersistentVolumeClaim,
): FieldError[] {
  const errors = validateClaim(next);
  const withoutRequests = (c: PersistentVolumeClaim) => ({
    ...c.spec,
    resources: undefined,
    volumeName: undefined,
  });
  if (!isDeepStrictEqual(withoutRequests(next), withoutRequests(current)))
    errors.push(
      fieldErrors.forbidden(
        "spec",
        "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
      ),
    );
  return errors;
}

export function validateVolume(volume: PersistentVolume): FieldError[] {
  const errors = accessModes(volume.spec?.accessModes);
  if (!volume.spec?.capacity?.storage) errors.push(fieldErrors.required("spec.capacity"));
  if (!VOLUME_SOURCES.some((s) => volume.spec?.[s] !== undefined))
    errors.push(fieldErrors.required("spec", "must specify a volume type"));
  return errors;
}
