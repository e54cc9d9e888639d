import { serviceEnvironment } from "../../core/k8s/services/environment";
import type { Service } from "../../core/k8s/services/types";
import type { KubeObject, Pod } from "../../core/k8s/types";
import type { ObjectStore } from "../../db/store";
import type { EnvSources } from "./container-spec";
import { fieldValue } from "./downward";

/** Where the pod's containers take their environment from: Services, ConfigMaps, Secrets, the pod. */
export async function envSources(store: ObjectStore, clusterId: string, pod: Pod): Promise<EnvSources> {
  const namespace = pod.metadata.namespace ?? "";
  const { items } = await store.list({ clusterId, group: "", resource: "services" });
  const data = async (resource: "configmaps" | "secrets", name: string) => {
    const obj = (await store.get({ clusterId, group: "", resource, namespace, name })) as
      | (KubeObject & { data?: Record<string, string> })
      | undefined;
    if (!obj) return undefined;
    const entries = Object.entries(obj.data ?? {});
    return Object.fromEntries(
      resource === "secrets" ? entries.map(([k, v]) => [k, Buffer.from(v, "base64").toString()]) : entries,
    );
  };
  return {
    services: serviceEnvironment(items as Service[], namespace, pod.spec.enableServiceLinks !== false),
    value: async (ref) => {
      const from = ref as {
        fieldRef?: { fieldPath: string };
        configMapKeyRef?: { name: string; key: string };
        secretKeyRef?: { name: string; key: string };
      };
      if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath);
      if (from.configMapKeyRef)
        return (await data("configmaps", from.configMapKeyRef.name))?.[from.configMapKeyRef.key];
      if (from.secretKeyRef) return (await data("secrets", from.secretKeyRef.name))?.[from.secretKeyRef.key];
      return undefined;
    },
    source: (from) =>
      from.configMapRef
        ? data("configmaps", from.configMapRef.name)
        : from.secretRef
          ? data("secrets", from.secretRef.name)
          : Promise.resolve(undefined),
  };
}
