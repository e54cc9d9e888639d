import { genericStrategy } from "./generic";
import type { Strategy } from "./strategy";

/** NetworkPolicies are stored and served, not enforced: nothing is refused silently, the writer is told. */
export const networkPolicyStrategy: Strategy = {
  ...genericStrategy,
  warnings: () => [
    "NetworkPolicy is stored but not enforced by this platform: pods of a cluster can all reach each other (clusters are isolated from one another)",
  ],
};
