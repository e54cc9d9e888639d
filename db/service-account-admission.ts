import { and, eq } from "drizzle-orm";
import { withServiceAccountVolume } from "../core/k8s/service-account-volume";
import type { KubeObject, Pod } from "../core/k8s/types";
import { objects } from "./schema";
import type { WriteHook } from "./store";

/**
 * kube-apiserver's ServiceAccount admission for every new pod, the API's and the controllers' alike: the
 * projected `kube-api-access-*` volume and its mounts, unless the pod or its account opts out. A pod whose
 * account does not exist yet is not refused here: its node waits for the account before mounting a token.
 */
export const serviceAccountAdmission: WriteHook = {
  async beforeWrite(tx, key, next, current) {
    if (current) return;
    const pod = next as Pod;
    const name = (pod.spec.serviceAccountName as string | undefined) ?? "default";
    const [row] = await tx
      .select({ body: objects.body })
      .from(objects)
      .where(
        and(
          eq(objects.clusterId, key.clusterId),
          eq(objects.apiGroup, ""),
          eq(objects.resource, "serviceaccounts"),
          eq(objects.namespace, key.namespace),
          eq(objects.name, name),
        ),
      );
    withServiceAccountVolume(pod, row?.body as KubeObject | undefined);
  },
  async afterDelete() {},
};
