import type { ResourceType } from "../resources";
import type { KubeObject } from "../types";

export interface StrategyContext {
  now: Date;
  type: ResourceType;
}

/**
 * How one kind is created and updated: defaulting and validation (throwing a 422 `KubeError`), and which
 * fields a writer may change. Pure: what a deletion does to a kind lives with the write path
 * (db/object-writer/deletion.ts), since it reads and writes the store.
 */
export interface Strategy {
  create(obj: KubeObject, ctx: StrategyContext): KubeObject;
  update(next: KubeObject, current: KubeObject, ctx: StrategyContext): KubeObject;
  updateStatus(next: KubeObject, current: KubeObject, ctx: StrategyContext): KubeObject;
  /** What the client should be told about an object it wrote, as HTTP Warning headers. */
  warnings?(obj: KubeObject): string[];
}
