import { addressesOutsidePodRange } from "../core/k8s/services/endpoint-addresses";
import type { EndpointSlice, Endpoints } from "../core/k8s/services/types";
import { invalidError } from "../core/k8s/validation/field-errors";
import type { ClusterNetworks } from "./networks";
import type { WriteHook } from "./store";

/**
 * Endpoints and EndpointSlices may only name the cluster's own pods, whoever writes them: the node's
 * gateway and the cluster's netd relay to these addresses, so one outside the pod range would let a student
 * reach the platform's services or another cluster. A store hook, so that no write path can skip it.
 */
export function endpointAdmission(networks: ClusterNetworks): WriteHook {
  return {
    async beforeWrite(tx, key, next) {
      const { podRange } = await networks.of(key.clusterId, tx);
      const errors = addressesOutsidePodRange(next as Endpoints | EndpointSlice, podRange);
      const kind = key.resource === "endpoints" ? "Endpoints" : "EndpointSlice";
      if (errors.length) throw invalidError(kind, key.name, errors, key.group);
    },
    async afterDelete() {},
  };
}
