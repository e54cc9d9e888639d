import { defaultContainer } from "../defaults/pod";
import { enforcePodSecurity } from "../pod-security";
import { preparePod } from "../pods";
import type { KubeObject, Pod } from "../types";
import { invalidError } from "../validation/field-errors";
import { validateEphemeralContainersUpdate } from "../validation/pod";
import { bumpGeneration } from "./generic";
import type { Strategy } from "./strategy";
import { validateCreate, validateUpdate } from "./validate";

/**
 * Pods: defaulted and validated like kube-apiserver, status owned by the node agent. Deleting a pod that
 * runs on a node marks it (deletionTimestamp) and lets the node agent stop its containers and remove it.
 */
export const podStrategy: Strategy = {
  create(obj, ctx) {
    const pod = preparePod(structuredClone(obj) as Pod);
    validateCreate(pod, ctx.type);
    enforcePodSecurity(pod);
    return pod;
  },
  update(next, current, ctx) {
    const pod = structuredClone(next);
    pod.status = current.status;
    bumpGeneration(pod, current);
    validateUpdate(pod, current, ctx.type);
    enforcePodSecurity(pod as Pod);
    return pod;
  },
  updateStatus(next, current) {
    return { ...current, status: next.status };
  },
};

/**
 * `pods/ephemeralcontainers` (kubectl debug): of the object sent, only `spec.ephemeralContainers` counts,
 * and only by additions, defaulted like any container.
 */
export function updateEphemeralContainers(next: KubeObject, current: KubeObject): KubeObject {
  const pod = structuredClone(current) as Pod;
  const existing = pod.spec.ephemeralContainers ?? [];
  const wanted = structuredClone((next as Pod).spec?.ephemeralContainers ?? []);
  for (const c of wanted) if (!existing.some((e) => e.name === c.name)) defaultContainer(c);
  const errors = validateEphemeralContainersUpdate(
    { ...pod, spec: { ...pod.spec, ephemeralContainers: wanted } },
    pod,
  );
  if (errors.length) throw invalidError("Pod", pod.metadata.name ?? "", errors);
  if (wanted.length || existing.length) pod.spec.ephemeralContainers = wanted;
  pod.metadata.resourceVersion = next.metadata.resourceVersion ?? pod.metadata.resourceVersion;
  return pod;
}
