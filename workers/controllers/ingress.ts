import type { Ingress } from "../../core/k8s/services/ingress";
import { INGRESS_CLASS } from "../../core/k8s/services/well-known";
import { clusterIngressDomain, type IngressSettings } from "../../core/network/ingress-hosts";
import type { ObjectRef } from "../../core/objects";
import type { ClusterRepository } from "../../db/clusters";
import type { ObjectStore } from "../../db/store";
import { kindController } from "../controller";
import type { Result } from "../shell";
import { writeStatus } from "./write-status";

/**
 * The platform's ingress controller, status side: each Ingress of its class says where the node gateways
 * serve it — the cluster's own domain on the ingress port (the routing itself is the gateways' job).
 */
export class IngressStatusController {
  constructor(
    private readonly store: ObjectStore,
    private readonly clusters: Pick<ClusterRepository, "get">,
    private readonly settings: IngressSettings,
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const key = { ...ref, group: "networking.k8s.io", resource: "ingresses" };
    const ing = (await this.store.get(key)) as Ingress | undefined;
    if (!ing || (ing.spec.ingressClassName ?? INGRESS_CLASS) !== INGRESS_CLASS) return {};
    const cluster = await this.clusters.get(ref.clusterId);
    if (!cluster) return {};
    const hostname = clusterIngressDomain(cluster, this.settings.domain);
    await writeStatus(this.store, key, ing.metadata.uid ?? "", {
      loadBalancer: {
        ingress: [
          {
            hostname,
            ports: [
              { port: this.settings.port, protocol: "TCP" },
              ...(ing.spec.tls?.length ? [{ port: this.settings.tlsPort, protocol: "TCP" }] : []),
            ],
          },
        ],
      },
    });
    return {};
  }
}

/** Publishes each Ingress's address in its status. */
export const ingressController = kindController({
  queue: "ingress",
  group: "networking.k8s.io",
  resource: "ingresses",
  start: (d) => {
    const controller = new IngressStatusController(d.store, d.clusters, d.config.ingress);
    return (ref) => controller.reconcile(ref);
  },
});
