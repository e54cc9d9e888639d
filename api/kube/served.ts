import type { ResourceType } from "../../core/k8s/resources";
import type { KubeObject } from "../../core/k8s/types";
import { viewOf } from "../../core/k8s/views";

/** An object as this type serves it: converted from its stored form where they differ, typed. */
export function served(type: ResourceType, obj: KubeObject): KubeObject {
  const view = viewOf(type)?.fromStored(obj) ?? obj;
  return {
    ...view,
    apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
    kind: type.kind,
  };
}

/** A client's object in its stored form; a custom resource in its CRD's storage version (`None` conversion). */
export function stored(type: ResourceType, obj: KubeObject): KubeObject {
  if (type.custom) return { ...obj, apiVersion: `${type.group}/${type.custom.storageVersion}` };
  return viewOf(type)?.toStored(obj) ?? obj;
}
