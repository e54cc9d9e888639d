import type { ResourceType } from "../../../core/k8s/resources";
import { genericStrategy } from "./generic";
import { namespaceStrategy } from "./namespaces";
import { podStrategy } from "./pods";
import type { Strategy } from "./strategy";

const BY_KIND: Record<string, Strategy> = { Pod: podStrategy, Namespace: namespaceStrategy };

export function strategyFor(type: ResourceType): Strategy {
  return (type.group === "" && BY_KIND[type.kind]) || genericStrategy;
}
