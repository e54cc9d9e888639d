import { defaultContainer } from "../../../core/k8s/defaults/pod";
import { enforcePodSecurity } from "../../../core/k8s/pod-security";
import { preparePod } from "../../../core/k8s/pods";
import { rfc3339 } from "../../../core/k8s/time";
import type { KubeObject, Pod } from "../../../core/k8s/types";
import { invalidError } from "../../../core/k8s/validation/field-errors";
import { validateEphemeralContainersUpdate } from "../../../core/k8s/validation/pod";
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
  async delete(deps, key, current, options) {
    const pod = current as Pod;
    if (!pod.spec.nodeName || options.gracePeriodSeconds === 0) {
      return { kind: "gone", object: await deps.store.delete(key, options.preconditions) };
    }
    if (pod.metadata.deletionTimestamp) return { kind: "pending", object: pod };
    const grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const marked = await deps.store.mutate(key, (p: KubeObject) => {
      p.metadata.deletionTimestamp = rfc3339(new Date(deps.now().getTime() + grace * 1000));
      p.metadata.deletionGracePeriodSeconds = grace;
      return p;
    });
    if (!marked) return { kind: "gone", object: pod };
    return { kind: "pending", object: marked };
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
