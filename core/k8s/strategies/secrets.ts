import { type ConfigData, foldStringData } from "../validation/config-data";
import { genericStrategy } from "./generic";
import type { Strategy } from "./strategy";

/** Secrets: stringData is write-only, folded into data before validation and storage. */
export const secretStrategy: Strategy = {
  ...genericStrategy,
  create: (obj, ctx) => genericStrategy.create(foldStringData(obj as ConfigData), ctx),
  update: (next, current, ctx) => genericStrategy.update(foldStringData(next as ConfigData), current, ctx),
};
