import { scaleObject } from "../strategies/workloads";
import type { KubeObject } from "../types";
import { evaluateJsonPath, setJsonPath } from "./json-path";
import type { ScaleSubresource } from "./types";

/** A custom resource's autoscaling/v1 Scale, read at its CRD's replicas and selector paths. */
export function customScale(obj: KubeObject, paths: ScaleSubresource) {
  const number = (path: string) => {
    const [v] = evaluateJsonPath(obj, path);
    return typeof v === "number" ? v : 0;
  };
  const [selector] = paths.labelSelectorPath ? evaluateJsonPath(obj, paths.labelSelectorPath) : [];
  return scaleObject(obj, {
    spec: number(paths.specReplicasPath),
    status: number(paths.statusReplicasPath),
    ...(typeof selector === "string" && selector ? { selector } : {}),
  });
}

/** The object with `replicas` at its spec replicas path; undefined when it already has them. */
export function replicasOfCustomScale(
  obj: KubeObject,
  paths: ScaleSubresource,
  replicas: number,
): KubeObject | undefined {
  if (evaluateJsonPath(obj, paths.specReplicasPath)[0] === replicas) return undefined;
  setJsonPath(obj, paths.specReplicasPath, replicas);
  return obj;
}
