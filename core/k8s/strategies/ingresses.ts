import type { Ingress } from "../services/ingress";
import { INGRESS_CLASS } from "../services/well-known";
import { bumpGeneration, genericStrategy } from "./generic";
import type { Strategy } from "./strategy";
import { validateCreate, validateUpdate } from "./validate";

const LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

/**
 * Ingresses: an Ingress naming no class gets the default one, as kube-apiserver's DefaultIngressClass
 * admission does; its status belongs to the ingress controller (workers/controllers/ingress.ts).
 */
export const ingressStrategy: Strategy = {
  create(obj, ctx) {
    const ing = structuredClone(obj) as Ingress;
    delete ing.metadata.deletionTimestamp;
    ing.spec ??= {};
    if (!ing.spec.ingressClassName && !ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION])
      ing.spec.ingressClassName = INGRESS_CLASS;
    ing.metadata.generation = 1;
    ing.status = { loadBalancer: {} };
    validateCreate(ing, ctx.type);
    return ing;
  },
  update(next, current, ctx) {
    const ing = structuredClone(next) as Ingress;
    ing.spec ??= {};
    ing.status = (current as Ingress).status ?? { loadBalancer: {} };
    bumpGeneration(ing, current);
    validateUpdate(ing, current, ctx.type);
    return ing;
  },
  updateStatus: genericStrategy.updateStatus,
};
