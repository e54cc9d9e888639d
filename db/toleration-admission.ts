import type { Toleration } from "../core/k8s/scheduling/types";
import type { Pod } from "../core/k8s/types";
import type { WriteHook } from "./store";

const DEFAULTED = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

/**
 * kube-apiserver's DefaultTolerationSeconds admission for every new pod, the API's and the controllers'
 * alike: a pod that tolerates no not-ready or unreachable NoExecute taint gets a toleration of each for
 * `seconds` (300 unless the platform is configured otherwise), so that the node lifecycle controller
 * evicts it that long after its node was lost.
 */
export function defaultTolerationSecondsAdmission(seconds: number): WriteHook {
  return {
    async beforeWrite(_tx, _key, next, current) {
      if (current) return;
      const spec = (next as Pod).spec;
      const tolerations = (spec.tolerations as Toleration[] | undefined) ?? [];
      for (const key of DEFAULTED)
        if (!tolerations.some((t) => t.key === key && (t.effect === "NoExecute" || !t.effect)))
          tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
      spec.tolerations = tolerations;
    },
    async afterDelete() {},
  };
}
