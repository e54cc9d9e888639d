import type { Context } from "hono";
import { coveredBy, type PodDisruptionBudget } from "../../core/k8s/disruption/budget";
import { KubeError, kubeErrors, statusFailure } from "../../core/k8s/errors";
import type { Pod } from "../../core/k8s/types";
import type { AppEnv } from "../env";
import { decodeObject } from "./body";
import { objectKey } from "./handlers";
import type { RequestInfo } from "./request-info";

type Ctx = Context<AppEnv>;

const created = (c: Ctx) =>
  c.json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, 201);

/** `pods/binding`: assigns an unbound pod to a node, as a scheduler does. */
export async function bindPod(c: Ctx, info: RequestInfo) {
  const binding = decodeObject(await c.req.text(), c.req.header("content-type")) as {
    target?: { kind?: string; name?: string };
  };
  const node = binding.target?.name;
  if (!node) throw kubeErrors.badRequest("binding target is required");
  const name = info.name as string;
  const key = objectKey(c.var.cluster.id, info, name);
  let refusal: KubeError | undefined;
  const bound = await c.var.deps.store.mutate(key, (obj) => {
    const pod = obj as Pod;
    if (pod.spec.nodeName) {
      refusal = kubeErrors.conflict(
        "pods",
        "",
        name,
        `pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
      );
      return undefined;
    }
    pod.spec.nodeName = node;
    return pod;
  });
  if (!bound) throw kubeErrors.notFound("pods", "", name);
  if (refusal) throw refusal;
  return created(c);
}

/**
 * `pods/eviction` (policy/v1 Eviction), what `kubectl drain` uses: a graceful deletion with the eviction's
 * delete options. No PodDisruptionBudget is served, so no eviction is refused for one.
 */
export async function evictPod(c: Ctx, info: RequestInfo) {
  const text = await c.req.text();
  const eviction = (text.trim() ? decodeObject(text, c.req.header("content-type")) : {}) as {
    deleteOptions?: {
      gracePeriodSeconds?: number;
      preconditions?: { uid?: string; resourceVersion?: string };
    };
  };
  const name = info.name as string;
  const { deps, cluster } = c.var;
  const key = objectKey(cluster.id, info, name);
  const pod = await deps.store.get(key);
  if (!pod) throw kubeErrors.notFound("pods", "", name);
  const dryRun = c.req.query("dryRun") === "All";
  await spendDisruption(deps, cluster.id, pod as Pod, dryRun);
  if (!dryRun) await deps.writer.delete(info.type, key, eviction.deleteOptions ?? {}, pod);
  return created(c);
}

/**
 * The disruption budget an eviction spends: refused with kube-apiserver's 429 when the budget allows no
 * more, else its `disruptionsAllowed` goes down by one at once, before the controller recounts; a write
 * that raced with the controller's is tried again on the fresh budget. A pod that is not Ready, or not
 * covered by any budget, may always go.
 */
export async function spendDisruption(
  deps: Pick<AppEnv["Variables"]["deps"], "store">,
  clusterId: string,
  pod: Pod,
  dryRun: boolean,
): Promise<void> {
  const scope = { clusterId, namespace: pod.metadata.namespace ?? "" };
  const ready = pod.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True");
  for (let attempt = 0; ; attempt++) {
    const { items } = await deps.store.list({ ...scope, group: "policy", resource: "poddisruptionbudgets" });
    const budgets = (items as PodDisruptionBudget[]).filter((b) => coveredBy(b, pod));
    if (budgets.length === 0 || !ready) return;
    if (budgets.length > 1)
      throw kubeErrors.internal(
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
      );
    const budget = budgets[0] as PodDisruptionBudget;
    const status = budget.status;
    if (!status || status.disruptionsAllowed <= 0)
      throw new KubeError(
        statusFailure(
          429,
          "TooManyRequests",
          "Cannot evict pod as it would violate the pod's disruption budget.",
          {
            causes: [
              {
                reason: "DisruptionBudget",
                message: `The disruption budget ${budget.metadata.name} needs ${status?.desiredHealthy ?? 0} healthy pods and has ${status?.currentHealthy ?? 0} currently`,
              },
            ],
          },
        ),
      );
    if (dryRun) return;
    try {
      await deps.store.update(
        { ...scope, group: "policy", resource: "poddisruptionbudgets", name: budget.metadata.name ?? "" },
        { ...budget, status: { ...status, disruptionsAllowed: status.disruptionsAllowed - 1 } },
      );
      return;
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 409) || attempt >= 4) throw err;
    }
  }
}
