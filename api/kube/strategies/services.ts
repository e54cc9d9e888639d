import { defaultService, keepAllocatedValues } from "../../../core/k8s/services/defaults";
import type { Service } from "../../../core/k8s/services/types";
import { genericStrategy } from "./generic";
import type { Strategy } from "./strategy";
import { validateCreate, validateUpdate } from "./validate";

/**
 * Services: defaulted and validated here; ClusterIPs, NodePorts and load balancer addresses are allocated
 * by the store's Service hook, in the write's transaction (db/service-allocations.ts).
 */
export const serviceStrategy: Strategy = {
  create(obj, ctx) {
    const svc = structuredClone(obj) as Service;
    delete svc.metadata.deletionTimestamp;
    svc.spec ??= {};
    delete svc.status;
    defaultService(svc);
    validateCreate(svc, ctx.type);
    return svc;
  },
  update(next, current, ctx) {
    const svc = structuredClone(next) as Service;
    svc.spec ??= {};
    defaultService(svc);
    keepAllocatedValues(svc, current as Service);
    svc.status = (current as Service).status ?? { loadBalancer: {} };
    validateUpdate(svc, current, ctx.type);
    return svc;
  },
  updateStatus: genericStrategy.updateStatus,
  delete: genericStrategy.delete,
};
