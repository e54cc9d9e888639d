import { withServiceAccountVolume } from "../core/k8s/service-account-volume";
import type { Pod } from "../core/k8s/types";
import { objectIn, type WriteHook } from "./store";

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
    const account = await objectIn(tx, { ...key, group: "", resource: "serviceaccounts", name });
    withServiceAccountVolume(pod, account);
  },
  async afterDelete() {},
};
