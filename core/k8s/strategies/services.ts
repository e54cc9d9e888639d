import { kubeErrors } from "../errors";
import { defaultService, keepAllocatedValues } from "../services/defaults";
import type { Service } from "../services/types";
import { genericStrategy } from "./generic";
import type { Strategy } from "./strategy";
import { validateCreate, validateUpdate } from "./validate";

/**
 * Services: defaulted and validated here; ClusterIPs, NodePorts and load balancer addresses are allocated
 * by the store's Service hook, in the write's transaction (db/service-allocations.ts).
 */
/**
 * kube-apiserver's DenyServiceExternalIPs admission, which multi-tenant clusters enable: externalIPs would
 * let one tenant claim any address for traffic meant for others. Values already there may stay or go.
 */
function denyNewExternalIPs(svc: Service, current?: Service): void {
  const before = new Set(current?.spec.externalIPs ?? []);
  if ((svc.spec.externalIPs ?? []).some((ip) => !before.has(ip)))
    throw kubeErrors.forbidden(
      `services "${svc.metadata.name}" is forbidden: use of external IPs is denied by admission control`,
    );
}

export const serviceStrategy: Strategy = {
  create(obj, ctx) {
    const svc = structuredClone(obj) as Service;
    delete svc.metadata.deletionTimestamp;
    svc.spec ??= {};
    denyNewExternalIPs(svc);
    delete svc.status;
    defaultService(svc);
    validateCreate(svc, ctx.type);
    return svc;
  },
  update(next, current, ctx) {
    const svc = structuredClone(next) as Service;
    svc.spec ??= {};
    denyNewExternalIPs(svc, current as Service);
    defaultService(svc);
    keepAllocatedValues(svc, current as Service);
    svc.status = (current as Service).status ?? { loadBalancer: {} };
    validateUpdate(svc, current, ctx.type);
    return svc;
  },
  updateStatus: genericStrategy.updateStatus,
};
