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
 * and which fields a user may change. Pure except for `delete`. Reconcilers are woken by the store's commit
 * hook (core/dispatch.ts), whatever wrote the object.
 */
export interface Strategy {
  create(obj: KubeObject, ctx: StrategyContext): KubeObject;
  update(next: KubeObject, current: KubeObject, ctx: StrategyContext): KubeObject;
  updateStatus(next: KubeObject, current: KubeObject, ctx: StrategyContext): KubeObject;
  delete(deps: ApiDeps, key: ObjectKey, current: KubeObject, options: DeleteOptions): Promise<DeleteOutcome>;
  /** What the client should be told about an object it wrote, as HTTP Warning headers. */
  warnings?(obj: KubeObject): string[];
}
