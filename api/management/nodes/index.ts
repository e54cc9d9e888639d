import { OpenAPIHono } from "@hono/zod-openapi";
import { KubeError } from "../../../core/k8s/errors";
import { isTerminal } from "../../../core/k8s/pods";
import { findResourceType } from "../../../core/k8s/resources";
import { rfc3339 } from "../../../core/k8s/time";
import type { Pod } from "../../../core/k8s/types";
import { isNodeReady, NEVER, type NodeRow, platformTaints } from "../../../db/nodes";
import type { AppEnv } from "../../env";
import { nodeObject } from "../../kube/nodes";
import { spendDisruption } from "../../kube/pod-subresources";
import { ApiError } from "../errors";
import { requireAdmin } from "../scope";
import { validationHook } from "../validation";
import { registerNode } from "./register";
import { createNode, deleteNode, getNode, listNodes } from "./routes";

type Deps = AppEnv["Variables"]["deps"];

/** Pods bound to the node that are not finished, of every cluster. */
async function podsOn(deps: Deps, name: string): Promise<{ clusterId: string; pod: Pod }[]> {
  return (await deps.store.podsOnNode(name))
    .map((p) => ({ clusterId: p.clusterId, pod: p.pod as Pod }))
    .filter((p) => !isTerminal(p.pod));
}

async function view(deps: Deps, row: NodeRow) {
  const node = nodeObject(row, deps.now());
  const status = node.status as { conditions: NodeCondition[] };
  return {
    name: row.name,
    dockerHost: row.dockerHost,
    address: row.addresses.find((a) => a.type === "InternalIP")?.address ?? "",
    managed: row.managed,
    capacity: row.capacity,
    allocatable: row.allocatable,
    pods: (await podsOn(deps, row.name)).length,
    lastHeartbeat: row.heartbeatAt.getTime() === NEVER.getTime() ? null : rfc3339(row.heartbeatAt),
    conditions: status.conditions,
    unschedulable: row.unschedulable,
    draining: row.draining,
    taints: platformTaints(row),
    labels: row.labels,
  };
}

interface NodeCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

const PODS = findResourceType("", "v1", "pods");

/**
 * Evicts every pod of the node as `kubectl drain` does, each within its PodDisruptionBudget. Every pod's
 * budget is checked before any pod goes, so a budget that allows nothing leaves all of them running; one
 * that allows fewer than the node has lets those go and keeps the rest (a 409 names them, and a DELETE
 * again evicts them once they may go). DaemonSet pods go with the node; a node whose agent is gone cannot
 * stop its pods, which are deleted at once.
 */
async function drain(deps: Deps, row: NodeRow): Promise<void> {
  const pods = (await podsOn(deps, row.name)).filter((p) => !p.pod.metadata.deletionTimestamp);
  const budgeted = pods.filter(
    (p) => !p.pod.metadata.ownerReferences?.some((o) => o.controller && o.kind === "DaemonSet"),
  );
  const refused: string[] = [];
  const refuse = (clusterId: string, pod: Pod) => (err: unknown) => {
    if (!(err instanceof KubeError && err.code === 429)) throw err;
    refused.push(`${pod.metadata.namespace}/${pod.metadata.name} (cluster ${clusterId})`);
    return false;
  };
  const refusal = () =>
    new ApiError(
      409,
      "disruption_budget",
      `cannot evict ${refused.join(", ")}: it would violate a PodDisruptionBudget; node ${row.name} stays cordoned`,
    );
  for (const { clusterId, pod } of budgeted)
    await spendDisruption(deps, clusterId, pod, true).catch(refuse(clusterId, pod));
  if (refused.length) throw refusal();
  const ready = isNodeReady(row, deps.now());
  for (const { clusterId, pod } of pods) {
    // a budget that covers several of the node's pods may allow fewer than all of them: those stay
    const allowed = budgeted.some((b) => b.pod === pod)
      ? await spendDisruption(deps, clusterId, pod, false).then(() => true, refuse(clusterId, pod))
      : true;
    if (!allowed) continue;
    const key = {
      clusterId,
      group: "",
      resource: "pods",
      namespace: pod.metadata.namespace ?? "",
      name: pod.metadata.name ?? "",
    };
    await deps.writer
      .delete(PODS as NonNullable<typeof PODS>, key, ready ? {} : { gracePeriodSeconds: 0 }, pod)
      .catch((err) => {
        if (!(err instanceof KubeError && err.code === 404)) throw err;
      });
  }
  if (refused.length) throw refusal();
}

/** `/v1/nodes`: the Docker hosts that run every cluster's pods, for the platform admin alone. */
export const nodesApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createNode, async (c) => {
    const deps = c.var.deps;
    requireAdmin(c.var.principal, "register a node");
    const row = await registerNode(deps.nodes, c.req.valid("json"), {
      simulatedNodes: deps.config.simulatedNodes,
    });
    return c.json(await view(deps, row), 201);
  })
  .openapi(listNodes, async (c) => {
    const deps = c.var.deps;
    requireAdmin(c.var.principal, "list the nodes");
    const rows = await deps.nodes.list();
    return c.json({ items: await Promise.all(rows.map((r) => view(deps, r))) }, 200);
  })
  .openapi(getNode, async (c) => {
    const deps = c.var.deps;
    requireAdmin(c.var.principal, "read a node");
    const { name } = c.req.valid("param");
    const row = await deps.nodes.get(name);
    if (!row) throw new ApiError(404, "not_found", `node ${name} not found`);
    return c.json(await view(deps, row), 200);
  })
  .openapi(deleteNode, async (c) => {
    const deps = c.var.deps;
    requireAdmin(c.var.principal, "remove a node");
    const { name } = c.req.valid("param");
    const cordoned = await deps.nodes.modify(name, { unschedulable: true });
    if (!cordoned) throw new ApiError(404, "not_found", `node ${name} not found`);
    await drain(deps, cordoned);
    const row = (await deps.nodes.modify(name, { draining: true })) ?? cordoned;
    return c.json(await view(deps, row), 202);
  });
