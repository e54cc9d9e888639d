import { describe, expect, it } from "vitest";
import {
  defaultStorageClass,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from "../../core/k8s/storage/types";
import { planBinding } from "./volume-binding-plan";

const claim = (name: string, spec: Partial<PersistentVolumeClaim["spec"]> = {}): PersistentVolumeClaim => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace: "db", uid: `uid-${name}` },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
});
const volume = (
  name: string,
  size: string,
  spec: Partial<PersistentVolume["spec"]> = {},
): PersistentVolume => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name, labels: { disk: "ssd" } },
  spec: {
    capacity: { storage: size },
    accessModes: ["ReadWriteOnce", "ReadOnlyMany"],
    storageClassName: "manual",
    persistentVolumeReclaimPolicy: "Retain",
    hostPath: { path: `/mnt/${name}` },
    ...spec,
  },
  status: { phase: "Available" },
});
const standard = defaultStorageClass();
const manual: StorageClass = {
  ...standard,
  metadata: { name: "manual" },
  provisioner: "kubernetes.io/no-provisioner",
};

describe("planBinding", () => {
  it("binds a claim to the smallest fitting available volume of its class", () => {
    const plan = planBinding(
      [claim("data", { storageClassName: "manual" })],
      [volume("big", "10Gi"), volume("small", "2Gi"), volume("tiny", "512Mi")],
      [standard, manual],
    );
    expect(plan.updateClaims).toEqual([
      expect.objectContaining({
        spec: expect.objectContaining({ volumeName: "small" }),
        status: {
          phase: "Bound",
          accessModes: ["ReadWriteOnce", "ReadOnlyMany"],
          capacity: { storage: "2Gi" },
        },
      }),
    ]);
    expect(plan.updateVolumes).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: "small" }),
        spec: expect.objectContaining({
          claimRef: {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            namespace: "db",
            name: "data",
            uid: "uid-data",
          },
        }),
        status: { phase: "Bound" },
      }),
    ]);
    expect(plan.createVolumes).toEqual([]);
  });

  it("gives a claim without a class the default one and provisions a volume for it", () => {
    const plan = planBinding([claim("data")], [], [standard, manual]);
    const [pv] = plan.createVolumes;
    expect(pv?.metadata.name).toBe("pvc-uid-data");
    expect(pv?.spec).toMatchObject({
      capacity: { storage: "1Gi" },
      storageClassName: "standard",
      persistentVolumeReclaimPolicy: "Delete",
      claimRef: { name: "data", namespace: "db", uid: "uid-data" },
      hostPath: { path: "/var/lib/timonier/volumes/db/pvc-uid-data" },
    });
    expect(plan.updateClaims[0]?.spec).toMatchObject({
      storageClassName: "standard",
      volumeName: "pvc-uid-data",
    });
    expect(plan.events.map((e) => e.reason)).toEqual(["ProvisioningSucceeded"]);
  });

  it("leaves a claim Pending when nothing fits its selector, modes or size, and says why", () => {
    const plan = planBinding(
      [
        claim("picky", { storageClassName: "manual", selector: { matchLabels: { disk: "hdd" } } }),
        claim("huge", { storageClassName: "manual", resources: { requests: { storage: "1Ti" } } }),
        claim("shared", { storageClassName: "manual", accessModes: ["ReadWriteMany"] }),
      ],
      [volume("a", "10Gi")],
      [manual],
    );
    expect(plan.updateClaims.map((c) => c.status?.phase)).toEqual(["Pending", "Pending", "Pending"]);
    expect(plan.events[0]?.message).toBe(
      "no persistent volumes available for this claim and no storage class is set",
    );
  });

  it("releases a volume whose claim is gone, and deletes it when its policy says Delete", () => {
    const ref = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      namespace: "db",
      name: "old",
      uid: "gone",
    };
    const plan = planBinding(
      [],
      [
        { ...volume("kept", "1Gi", { claimRef: ref }), status: { phase: "Bound" } },
        {
          ...volume("dropped", "1Gi", { claimRef: ref, persistentVolumeReclaimPolicy: "Delete" }),
          status: { phase: "Bound" },
        },
      ],
      [],
    );
    expect(plan.updateVolumes.map((v) => [v.metadata.name, v.status?.phase])).toEqual([["kept", "Released"]]);
    expect(plan.deleteVolumes).toEqual(["dropped"]);
  });

  it("changes nothing once everything is bound", () => {
    const first = planBinding([claim("data")], [], [standard]);
    const again = planBinding(first.updateClaims, first.createVolumes, [standard]);
    expect(again).toEqual({
      createVolumes: [],
      updateVolumes: [],
      deleteVolumes: [],
      updateClaims: [],
      events: [],
    });
  });
});
