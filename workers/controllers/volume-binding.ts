import { KubeError } from "../../core/k8s/errors";
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from "../../core/k8s/storage/types";
import type { KubeObject } from "../../core/k8s/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import type { ObjectStore } from "../../db/store";
import { type Controller, itsCluster } from "../controller";
import type { EventRecorder } from "../events";
import type { Result } from "../shell";
import { planBinding } from "./volume-binding-plan";

const volumeKey = (clusterId: string, name: string): ObjectKey => ({
  clusterId,
  group: "",
  resource: "persistentvolumes",
  namespace: "",
  name,
});
const claimKey = (clusterId: string, claim: KubeObject): ObjectKey => ({
  clusterId,
  group: "",
  resource: "persistentvolumeclaims",
  namespace: claim.metadata.namespace ?? "",
  name: claim.metadata.name ?? "",
});

const ignoreGone = (err: unknown) => {
  if (!(err instanceof KubeError && (err.code === 404 || err.code === 409))) throw err;
};

/** Binds a cluster's claims to volumes and provisions the platform's class (see volume-binding-plan.ts). */
export class VolumeBindingController {
  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const scope = { clusterId: ref.clusterId };
    const [claims, volumes, classes] = await Promise.all([
      this.store.list({ ...scope, group: "", resource: "persistentvolumeclaims" }),
      this.store.list({ ...scope, group: "", resource: "persistentvolumes" }),
      this.store.list({ ...scope, group: "storage.k8s.io", resource: "storageclasses" }),
    ]);
    const plan = planBinding(
      claims.items as PersistentVolumeClaim[],
      volumes.items as PersistentVolume[],
      classes.items as StorageClass[],
    );
    for (const pv of plan.createVolumes)
      await this.store.create(volumeKey(ref.clusterId, pv.metadata.name ?? ""), pv).catch(ignoreGone);
    for (const pv of plan.updateVolumes)
      await this.store
        .mutate(volumeKey(ref.clusterId, pv.metadata.name ?? ""), (current) =>
          current.metadata.uid === pv.metadata.uid
            ? { ...current, spec: pv.spec, status: pv.status }
            : undefined,
        )
        .catch(ignoreGone);
    for (const name of plan.deleteVolumes)
      await this.store.delete(volumeKey(ref.clusterId, name)).catch(ignoreGone);
    for (const claim of plan.updateClaims)
      await this.store
        .mutate(claimKey(ref.clusterId, claim), (current) =>
          current.metadata.uid === claim.metadata.uid
            ? { ...current, spec: claim.spec, status: claim.status }
            : undefined,
        )
        .catch(ignoreGone);
    for (const e of plan.events)
      await this.events.record(ref.clusterId, e.about, e.type, e.reason, e.message);
    return {};
  }
}

/** Binds a cluster's PersistentVolumeClaims to PersistentVolumes: any storage write re-plans the cluster. */
export const volumeBindingController: Controller = {
  queue: "persistent-volumes",
  watches: [
    { group: "", resource: "persistentvolumeclaims", map: itsCluster },
    { group: "", resource: "persistentvolumes", map: itsCluster },
    { group: "storage.k8s.io", resource: "storageclasses", map: itsCluster },
  ],
  start: (d) => {
    const controller = new VolumeBindingController(d.store, d.events("persistentvolume-controller"));
    return (ref) => controller.reconcile(ref);
  },
};
