import { cpuMillis, memoryBytes } from "../../core/k8s/requests";
import type { Pod } from "../../core/k8s/types";

/** The value of a downward API fieldRef (env vars and downwardAPI volumes). */
export function fieldValue(pod: Pod, path: string): string | undefined {
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (label?.[1] && label[2]) return pod.metadata[label[1] as "labels" | "annotations"]?.[label[2]];
  const map = (m: Record<string, string> | undefined) =>
    Object.entries(m ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join("\n");
  const simple: Record<string, string | undefined> = {
    "metadata.name": pod.metadata.name,
    "metadata.namespace": pod.metadata.namespace,
    "metadata.uid": pod.metadata.uid,
    "metadata.labels": map(pod.metadata.labels),
    "metadata.annotations": map(pod.metadata.annotations),
    "spec.nodeName": pod.spec.nodeName,
    "spec.serviceAccountName": pod.spec.serviceAccountName as string | undefined,
    "status.hostIP": pod.status?.hostIP,
    "status.podIP": pod.status?.podIP,
  };
  return simple[path];
}

/** The value of a resourceFieldRef: a container's request or limit, in units of the divisor (rounded up). */
export function resourceFieldValue(
  pod: Pod,
  ref: { containerName?: string; resource: string; divisor?: string },
  defaultContainer?: string,
): string | undefined {
  const container = pod.spec.containers.find((c) => c.name === (ref.containerName ?? defaultContainer));
  if (!container) return undefined;
  const [kind, name] = ref.resource.split(".") as ["limits" | "requests", string];
  const quantity = container.resources?.[kind]?.[name];
  if (name === "cpu") {
    const millis = quantity ? cpuMillis(quantity) : 0;
    const divisor = ref.divisor ? cpuMillis(ref.divisor) : 1000;
    return String(Math.ceil(millis / divisor));
  }
  if (name === "memory" || name === "ephemeral-storage") {
    const bytes = quantity ? memoryBytes(quantity) : 0;
    const divisor = ref.divisor ? memoryBytes(ref.divisor) : 1;
    return String(Math.ceil(bytes / divisor));
  }
  return undefined;
}
