import { addressesOutsidePodRange } from "../core/k8s/services/endpoint-addresses";
import type { EndpointSlice, Endpoints } from "../core/k8s/services/types";
import { KUBERNETES_SERVICE } from "../core/k8s/services/well-known";
import { invalidError } from "../core/k8s/validation/field-errors";
import type { ClusterNetworks } from "./networks";
import type { WriteHook } from "./store";

/**
 * Endpoints and EndpointSlices may only name the cluster's own pods, whoever writes them: the node's
 * gateway and the cluster's netd relay to these addresses, so one outside the pod range would let a student
 * reach the platform's services or another cluster. A store hook, so that no write path can skip it. The
 * one exception is the platform's own: `default/kubernetes` may name the cluster's netd, which serves the
 * API there itself (no proxy relays to an address outside the pod range, whatever is stored).
 */
export function endpointAdmission(networks: ClusterNetworks): WriteHook {
  return {
    async beforeWrite(tx, key, next) {
      const { podRange, dnsIp } = await networks.of(key.clusterId, tx);
      const platformOwned = key.namespace === "default" && key.name === KUBERNETES_SERVICE;
      const errors = addressesOutsidePodRange(
        next as Endpoints | EndpointSlice,
        podRange,
        platformOwned ? dnsIp : undefined,
      );
      const kind = key.resource === "endpoints" ? "Endpoints" : "EndpointSlice";
      if (errors.length) throw invalidError(kind, key.name, errors, key.group);
    },
    async afterDelete() {},
  };
}
