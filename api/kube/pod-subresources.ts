import type { Context } from "hono";
import { type KubeError, kubeErrors } from "../../core/k8s/errors";
import type { Pod } from "../../core/k8s/types";
import type { AppEnv } from "../env";
import { decodeObject } from "./body";
import { objectKey } from "./handlers";
import type { RequestInfo } from "./request-info";
import { strategyFor } from "./strategies";

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
  if (c.req.query("dryRun") !== "All")
    await strategyFor(info.type).delete(deps, key, pod, eviction.deleteOptions ?? {});
  return created(c);
}
