import { isDeepStrictEqual } from "node:util";
import { inClusterCa } from "../../core/in-cluster-ca";
import { KubeError } from "../../core/k8s/errors";
import { ROOT_CA_CONFIGMAP } from "../../core/k8s/service-account-volume";
import type { KubeObject } from "../../core/k8s/types";
import type { ObjectRef } from "../../core/objects";
import { isNamespaceTerminating } from "../../db/object-writer/prepare";
import type { ObjectStore } from "../../db/store";
import { type Controller, everyObject } from "../controller";
import type { Result } from "../shell";
import { controllerWrites } from "./writes";

const DESCRIPTION_ANNOTATION = "kubernetes.io/description";
const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/**
 * kube-controller-manager's root-ca-cert-publisher: every namespace (ref: the namespace, by name) holds the
 * `kube-root-ca.crt` ConfigMap with the in-cluster CA under `ca.crt`, made again when deleted and put back
 * when its data changes.
 */
export class RootCaPublisher {
  constructor(
    private readonly store: ObjectStore,
    private readonly caCert: () => Promise<string>,
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const { clusterId, name: namespace } = ref;
    const ns = await this.store.get({
      clusterId,
      group: "",
      resource: "namespaces",
      namespace: "",
      name: namespace,
    });
    if (!ns || ns.metadata.deletionTimestamp) return {};
    const key = { clusterId, group: "", resource: "configmaps", namespace, name: ROOT_CA_CONFIGMAP };
    const data = { "ca.crt": await this.caCert() };
    const current = await this.store.get(key);
    try {
      if (!current)
        await controllerWrites(this.store).create(key, {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: ROOT_CA_CONFIGMAP,
            namespace,
            annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION },
          },
          data,
        });
      else if (!published(current, data))
        await controllerWrites(this.store).mutate(key, (cm) =>
          published(cm, data)
            ? undefined
            : {
                ...cm,
                metadata: {
                  ...cm.metadata,
                  annotations: { ...cm.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION },
                },
                data,
              },
        );
    } catch (err) {
      // made meanwhile, or the namespace (or its cluster) going
      if (
        !(err instanceof KubeError && (err.code === 409 || err.code === 404)) &&
        !isNamespaceTerminating(err)
      )
        throw err;
    }
    return {};
  }
}

function published(cm: KubeObject, data: Record<string, string>): boolean {
  return isDeepStrictEqual(cm.data, data) && Boolean(cm.metadata.annotations?.[DESCRIPTION_ANNOTATION]);
}

export const rootCaPublisherController: Controller = {
  queue: "root-ca-cert-publisher",
  watches: [
    { group: "", resource: "namespaces", when: (c) => c.type === "ADDED" },
    {
      group: "",
      resource: "configmaps",
      when: (c) => c.name === ROOT_CA_CONFIGMAP,
      map: (c) => [{ ref: { clusterId: c.clusterId, namespace: "", name: c.namespace } }],
    },
  ],
  resync: everyObject("", "namespaces", "slow"),
  start: ({ store, config }) => {
    const publisher = new RootCaPublisher(store, async () => (await inClusterCa(config.tokenSecret)).cert);
    return (ref) => publisher.reconcile(ref);
  },
};
