import type { Pod } from "../../core/k8s/types";
import type { PodFailurePolicy, PodFailurePolicyRule } from "../../core/k8s/workloads/types";

/** What a Job's podFailurePolicy makes of one failed pod: the action, and why (for FailJob's message). */
export interface FailureVerdict {
  action: PodFailurePolicyRule["action"];
  message?: string;
}

function exitCodeMatch(pod: Pod, rule: NonNullable<PodFailurePolicyRule["onExitCodes"]>) {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    const code = s.state.terminated?.exitCode;
    if (code === undefined || code === 0) continue;
    if (rule.containerName && s.name !== rule.containerName) continue;
    const listed = rule.values.includes(code);
    if (rule.operator === "In" ? listed : !listed) return { container: s.name, code };
  }
  return undefined;
}

/**
 * The Job controller's reading of a failed pod under `podFailurePolicy`: the first rule whose exit codes or
 * pod conditions match decides (FailJob, Ignore, Count); no rule, or no policy, counts the failure. Pure.
 */
export function failureVerdict(policy: PodFailurePolicy | undefined, pod: Pod): FailureVerdict {
  const where = `${pod.metadata.namespace ?? "default"}/${pod.metadata.name}`;
  for (const [index, rule] of (policy?.rules ?? []).entries()) {
    if (rule.onExitCodes) {
      const match = exitCodeMatch(pod, rule.onExitCodes);
      if (match)
        return {
          action: rule.action,
          message: `Container ${match.container} for pod ${where} failed with exit code ${match.code} matching ${rule.action} rule at index ${index}`,
        };
    }
    for (const wanted of rule.onPodConditions ?? []) {
      const found = pod.status?.conditions?.some((c) => c.type === wanted.type && c.status === wanted.status);
      if (found)
        return {
          action: rule.action,
          message: `Pod ${where} has condition ${wanted.type} matching ${rule.action} rule at index ${index}`,
        };
    }
  }
  return { action: "Count" };
}
