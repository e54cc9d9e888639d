import { kubeErrors } from "../../core/k8s/errors";
import type { ResourceType } from "../../core/k8s/resources";
import { BUILT_IN_TYPES, type ServedTypes } from "../../core/k8s/served-types";

/** What a resource request addresses, parsed the way kube-apiserver's RequestInfo does. */
export interface RequestInfo {
  type: ResourceType;
  /** "" for cluster-scoped resources and all-namespaces lists. */
  namespace: string;
  /** Set when the path names one object. */
  name?: string;
  subresource?: string;
}

/** Subresources of a namespace object, which would otherwise read as a resource inside the namespace. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/**
 * Parses the segments after `/api/v1` or `/apis/{group}/{version}`. Throws the apiserver's 404 for unknown
 * resources and for scope mismatches (a cluster-scoped resource inside a namespace and vice versa).
 */
export function parseResourcePath(
  group: string,
  version: string,
  segments: string[],
  types: ServedTypes = BUILT_IN_TYPES,
): RequestInfo {
  let namespace = "";
  let rest = segments;
  if (rest[0] === "namespaces" && rest.length >= 3 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? "")) {
    namespace = rest[1] ?? "";
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  const type = resource ? types.find(group, version, resource) : undefined;
  if (!type || extra.length > 0) throw kubeErrors.unknownResource();
  if (namespace && !type.namespaced) throw kubeErrors.unknownResource();
  if (subresource && !type.subresources.includes(subresource)) throw kubeErrors.unknownResource();
  return {
    type,
    namespace,
    ...(name ? { name } : {}),
    ...(subresource ? { subresource } : {}),
  };
}
