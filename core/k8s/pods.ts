import { defaultPod } from "./defaults/pod";
import type { Container, Pod } from "./types";

/** The pod's QoS class, as the kubelet and apiserver compute it from requests and limits. */
export function qosClass(pod: Pod): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers: Container[] = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  const hasAny = containers.some(
    (c) =>
      Object.keys(c.resources?.requests ?? {}).length > 0 ||
      Object.keys(c.resources?.limits ?? {}).length > 0,
  );
  if (!hasAny) return "BestEffort";
  const guaranteed = containers.every((c) =>
    ["cpu", "memory"].every((r) => {
      const limit = c.resources?.limits?.[r];
      const request = c.resources?.requests?.[r] ?? limit;
      return limit !== undefined && request === limit;
    }),
  );
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** Where the node agent and the API agree a pod's containers are gone for good. */
export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

/** A new pod as the apiserver stores it: defaulted, generation 1, Pending with its QoS class. */
export function preparePod(pod: Pod): Pod {
  const out = defaultPod(pod);
  delete out.metadata.deletionTimestamp;
  out.metadata.generation = 1;
  out.status = { phase: "Pending", qosClass: qosClass(out) };
  return out;
}
