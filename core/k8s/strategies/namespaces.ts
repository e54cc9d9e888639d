import { defaultNamespace } from "../defaults/namespace";
import { genericStrategy } from "./generic";
import type { Strategy } from "./strategy";

/** Namespaces: defaulted; their status (Terminating) belongs to the deletion machinery. */
export const namespaceStrategy: Strategy = {
  ...genericStrategy,
  create(obj, ctx) {
    return genericStrategy.create(defaultNamespace(structuredClone(obj)), ctx);
  },
  update(next, current, ctx) {
    return { ...genericStrategy.update(next, current, ctx), status: current.status };
  },
};
