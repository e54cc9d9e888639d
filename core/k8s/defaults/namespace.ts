import type { KubeObject } from "../types";

/** A namespace as kube-apiserver stores it: the kubernetes finalizer, Active, its name as a label. */
export function defaultNamespace(ns: KubeObject): KubeObject {
  const name = ns.metadata.name ?? "";
  ns.metadata.labels = { ...ns.metadata.labels, "kubernetes.io/metadata.name": name };
  ns.spec = { finalizers: ["kubernetes"], ...(ns.spec as object | undefined) };
  ns.status = { phase: "Active" };
  return ns;
}
