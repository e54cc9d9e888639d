import type { ResourceType } from "../../../core/k8s/resources";
import type { KubeObject } from "../../../core/k8s/types";
import type { ObjectKey } from "../../../db/store";
import type { ApiDeps } from "../../env";

export interface StrategyContext {
  now: Date;
  type: ResourceType;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
}

/** `gone`: removed from storage. `pending`: marked for deletion; a controller finishes it later. */
export type DeleteOutcome = { kind: "gone"; object: KubeObject } | { kind: "pending"; object: KubeObject };

/**
 * How one kind is created, updated and deleted: defaulting and validation (throwing a 422 `KubeError`),
 * which fields a user may change, and which reconcilers a write wakes. Pure except for `delete`/`afterWrite`.
 */
export interface Strategy {
  create(obj: KubeObject, ctx: StrategyContext): KubeObject;
  update(next: KubeObject, current: KubeObject, ctx: StrategyContext): KubeObject;
  updateStatus(next: KubeObject, current: KubeObject, ctx: StrategyContext): KubeObject;
  delete(deps: ApiDeps, key: ObjectKey, current: KubeObject, options: DeleteOptions): Promise<DeleteOutcome>;
  /** Wakes the reconcilers that care about this object; a lost trigger is caught by their resync. */
  afterWrite?(deps: ApiDeps, key: ObjectKey, obj: KubeObject): Promise<void>;
}
