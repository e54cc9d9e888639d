import { kubeErrors } from "../../core/k8s/errors";
import type { Pod } from "../../core/k8s/types";
import type { ApiDeps } from "../env";

/**
 * The pod and the container a `log`, `exec` or `attach` request names, with kube-apiserver's errors: a
 * missing pod, no container given for a pod of several, a container the pod does not have.
 */
export async function podContainer(
  deps: Pick<ApiDeps, "store">,
  ref: { clusterId: string; namespace: string; name: string },
  requested: string | null | undefined,
  options: { includeInit: boolean },
): Promise<{ pod: Pod; container: string }> {
  const { name } = ref;
  const pod = (await deps.store.get({ ...ref, group: "", resource: "pods" })) as Pod | undefined;
  if (!pod) throw kubeErrors.notFound("pods", "", name);
  let container = requested;
  if (!container) {
    if (pod.spec.containers.length !== 1) {
      throw kubeErrors.badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${pod.spec.containers.map((x) => x.name).join(" ")}]`,
      );
    }
    container = pod.spec.containers[0]?.name ?? "";
  }
  const candidates = [
    ...(options.includeInit ? (pod.spec.initContainers ?? []) : []),
    ...pod.spec.containers,
    ...(pod.spec.ephemeralContainers ?? []),
  ];
  if (!candidates.some((x) => x.name === container)) {
    throw kubeErrors.badRequest(`container ${container} is not valid for pod ${name}`);
  }
  return { pod, container };
}
