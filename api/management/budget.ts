import type { ClusterBudget } from "../../core/k8s/budget";
import { aboveCeiling, type BudgetInput, parseBudget } from "../../core/tenants";
import type { TenantRow } from "../../db/tenants";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";

type Deps = AppEnv["Variables"]["deps"];

/** A budget from quantities, refused with a 400 naming the field when one does not parse. */
export function budgetFrom(input: BudgetInput, what: string): Partial<ClusterBudget> {
  const parsed = parseBudget(input, what);
  if ("error" in parsed) throw new ApiError(400, "invalid_request", parsed.error);
  return parsed.budget;
}

/** The most a teacher may set in this class: the admin's ceiling, else the platform's default budget. */
export function ceilingOf(deps: Deps, tenant: Pick<TenantRow, "ceiling">): ClusterBudget {
  return { ...deps.config.budget, ...(tenant.ceiling ?? {}) };
}

/** Refuses (422, nothing written) a budget with a field above the class's ceiling. */
export function requireWithinCeiling(budget: Partial<ClusterBudget>, ceiling: ClusterBudget, what: string) {
  const refusal = aboveCeiling(budget, ceiling, what);
  if (refusal) throw new ApiError(422, "above_ceiling", refusal);
}
