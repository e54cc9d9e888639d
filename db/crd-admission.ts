import { sql } from "drizzle-orm";
import { nameConflict, withNameConflict } from "../core/k8s/crd/naming";
import { CRD_GROUP, CRD_RESOURCE, type CustomResourceDefinition } from "../core/k8s/crd/types";
import { CRD_CHANNEL } from "./custom-types";
import { objectsOf, type WriteHook } from "./store";

/**
 * kube-apiserver's naming controller, inside the write: a CRD whose names another CRD of its group has
 * accepted is not accepted (and not established when it was not before), so it serves nothing new.
 */
export const crdNamingAdmission: WriteHook = {
  async beforeWrite(tx, key, next, current) {
    const crd = next as CustomResourceDefinition;
    if (!crd.spec?.names) return;
    const crds = await objectsOf(tx, { clusterId: key.clusterId, group: CRD_GROUP, resource: CRD_RESOURCE });
    const conflict = nameConflict(crd, crds as CustomResourceDefinition[]);
    if (conflict) withNameConflict(crd, conflict, current as CustomResourceDefinition | undefined);
  },
  async afterDelete() {},
};

/** Tells every API process, at commit, that the cluster's served types changed (db/custom-types.ts). */
export const crdChangeNotice: WriteHook = {
  async beforeWrite(tx, key) {
    await tx.execute(sql`select pg_notify(${CRD_CHANNEL}, ${key.clusterId})`);
  },
  async afterDelete(tx, key) {
    await tx.execute(sql`select pg_notify(${CRD_CHANNEL}, ${key.clusterId})`);
  },
};
