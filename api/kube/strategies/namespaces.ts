import { defaultNamespace } from "../../../core/k8s/defaults/namespace";
import { kubeErrors } from "../../../core/k8s/errors";
import { rfc3339 } from "../../../core/k8s/time";
import type { KubeObject } from "../../../core/k8s/types";
import { genericStrategy } from "./generic";
import type { Strategy } from "./strategy";

const IMMORTAL = new Set(["default", "kube-system", "kube-public"]);

/** Namespaces: deleting one marks it Terminating; the namespace controller empties it, then removes it. */
export const namespaceStrategy: Strategy = {
  ...genericStrategy,
  create(obj, ctx) {
    return genericStrategy.create(defaultNamespace(structuredClone(obj)), ctx);
  },
  update(next, current, ctx) {
    return { ...genericStrategy.update(next, current, ctx), status: current.status };
  },
  async delete(deps, key, current) {
    if (IMMORTAL.has(key.name)) {
      throw kubeErrors.forbidden(`namespaces "${key.name}" is forbidden: this namespace may not be deleted`);
    }
    const marked =
      current.metadata.deletionTimestamp !== undefined
        ? current
        : await deps.store.mutate(key, (ns: KubeObject) => {
            ns.metadata.deletionTimestamp = rfc3339(deps.now());
            ns.status = { ...(ns.status as object), phase: "Terminating" };
            return ns;
          });
    return { kind: "pending", object: marked ?? current };
  },
};
