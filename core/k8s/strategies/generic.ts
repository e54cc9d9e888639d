import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../types";
import type { Strategy } from "./strategy";
import { validateCreate, validateUpdate } from "./validate";

/** Objects with no controller behind them: validated metadata, generation bumped on spec changes. */
export const genericStrategy: Strategy = {
  create(obj, ctx) {
    const out = structuredClone(obj);
    delete out.metadata.deletionTimestamp;
    if (out.spec !== undefined) out.metadata.generation = 1;
    validateCreate(out, ctx.type);
    return out;
  },
  update(next, current, ctx) {
    const out = structuredClone(next);
    bumpGeneration(out, current);
    validateUpdate(out, current, ctx.type);
    return out;
  },
  updateStatus(next, current) {
    return { ...current, status: next.status };
  },
};

/** What the apiserver resets on every new object owned by a controller: generation 1, no status yet. */
export function asNewWorkload<T extends KubeObject>(obj: T): T {
  delete obj.metadata.deletionTimestamp;
  obj.metadata.generation = 1;
  (obj as KubeObject).status = {};
  return obj;
}

export function bumpGeneration(next: KubeObject, current: KubeObject): void {
  const generation = current.metadata.generation;
  if (generation === undefined) return;
  next.metadata.generation = isDeepStrictEqual(next.spec, current.spec) ? generation : generation + 1;
}
