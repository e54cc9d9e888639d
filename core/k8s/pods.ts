import { defaultPod } from "./defaults/pod";
import { controllerRef, generateName } from "./owners";
import type { Container, ContainerStatus, KubeObject, ObjectMeta, Pod, PodSpec } from "./types";

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

/** Every container of the pod: init containers, app containers, then ephemeral ones. */
export function allContainers(pod: Pod): Container[] {
  return [
    ...(pod.spec.initContainers ?? []),
    ...pod.spec.containers,
    ...(pod.spec.ephemeralContainers ?? []),
  ];
}

/** The statuses of every container of the pod, in the same order. */
export function allContainerStatuses(pod: Pod): ContainerStatus[] {
  const status = pod.status ?? {};
  return [
    ...(status.initContainerStatuses ?? []),
    ...(status.containerStatuses ?? []),
    ...(status.ephemeralContainerStatuses ?? []),
  ];
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

/** A controller's new pod: the template's labels, annotations and spec, a generated name, owned by it. */
export function podFromTemplate(
  owner: KubeObject,
  template: { metadata?: ObjectMeta; spec: PodSpec },
  namespace: string,
): Pod {
  return preparePod({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: generateName(`${owner.metadata.name}-`),
      generateName: `${owner.metadata.name}-`,
      namespace,
      labels: { ...template.metadata?.labels },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: structuredClone(template.spec),
  });
}
