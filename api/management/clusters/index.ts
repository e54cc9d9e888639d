import { OpenAPIHono } from "@hono/zod-openapi";
import { type ClusterBudget, formatBudget } from "../../../core/k8s/budget";
import { parseQuantity } from "../../../core/k8s/quantity";
import { cpuMillis, memoryBytes } from "../../../core/k8s/requests";
import { renderKubeconfig } from "../../../core/kubeconfig";
import { clusterToken, hashToken } from "../../../core/tokens";
import { budgetUsage } from "../../../db/budget-admission";
import type { ClusterRow } from "../../../db/clusters";
import { NetworkPoolExhausted } from "../../../db/networks";
import type { AppEnv } from "../../env";
import { ApiError } from "../errors";
import { validationHook } from "../validation";
import {
  createCluster,
  deleteCluster,
  getCluster,
  getKubeconfig,
  listClusters,
  updateCluster,
} from "./routes";

type Deps = AppEnv["Variables"]["deps"];

function serverUrl(deps: Deps, id: string): string {
  return `${deps.config.kubeUrl}/clusters/${id}`;
}

function view(deps: Deps, row: ClusterRow & { tenant: string }) {
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    phase: row.phase as "Active" | "Terminating",
    server: serverUrl(deps, row.id),
    createdAt: row.createdAt.toISOString(),
  };
}

function kubeconfigOf(deps: Deps, row: ClusterRow): string {
  return renderKubeconfig({
    name: row.name,
    server: serverUrl(deps, row.id),
    token: clusterToken(deps.config.tokenSecret, row.id),
    certificateAuthority: deps.config.certificateAuthority,
  });
}

async function findCluster(deps: Deps, id: string) {
  const row = await deps.clusters.get(id);
  if (!row) throw new ApiError(404, "not_found", `cluster ${id} not found`);
  return row;
}

/** The cluster with its budget and what its pods use of it now. */
async function detail(deps: Deps, row: ClusterRow & { tenant: string }) {
  const budget = { ...deps.config.budget, ...(row.budget ?? {}) };
  const usage = await budgetUsage(deps.db, row.id, deps.config.containerDefaults);
  return {
    ...view(deps, row),
    budget: formatBudget(budget),
    usage: formatBudget({ ...usage, storageBytes: row.storedBytes }),
  };
}

/** A budget change from quantities, refused by field when one does not parse. */
function budgetChange(body: {
  memory?: string | undefined;
  cpu?: string | undefined;
  pods?: number | undefined;
  storage?: string | undefined;
}) {
  const amount = (field: "memory" | "cpu" | "storage", text: string, parse: (q: string) => number) => {
    const value = parseQuantity(text) === undefined ? 0 : parse(text);
    if (value <= 0)
      throw new ApiError(
        400,
        "invalid_request",
        `budget.${field}: ${JSON.stringify(text)} is not a ${field === "cpu" ? "CPU" : field} quantity`,
      );
    return value;
  };
  const change: Partial<ClusterBudget> = {};
  if (body.memory !== undefined) change.memoryBytes = amount("memory", body.memory, memoryBytes);
  if (body.cpu !== undefined) change.cpuMillis = amount("cpu", body.cpu, cpuMillis);
  if (body.storage !== undefined) change.storageBytes = amount("storage", body.storage, memoryBytes);
  if (body.pods !== undefined) change.pods = body.pods;
  return change;
}

export const clustersApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createCluster, async (c) => {
    const deps = c.var.deps;
    const body = c.req.valid("json");
    const tenant = body.tenant ?? "default";
    const row = await deps.clusters
      .create({
        tenant,
        name: body.name,
        tokenHashFor: (id) => hashToken(clusterToken(deps.config.tokenSecret, id)),
      })
      .catch((err) => {
        if (err instanceof NetworkPoolExhausted) throw new ApiError(503, "capacity_exhausted", err.message);
        throw err;
      });
    if (!row)
      throw new ApiError(409, "already_exists", `cluster ${body.name} already exists in tenant ${tenant}`);
    return c.json({ ...view(deps, { ...row, tenant }), kubeconfig: kubeconfigOf(deps, row) }, 201);
  })
  .openapi(listClusters, async (c) => {
    const deps = c.var.deps;
    return c.json({ items: (await deps.clusters.list()).map((r) => view(deps, r)) }, 200);
  })
  .openapi(getCluster, async (c) => {
    const deps = c.var.deps;
    return c.json(await detail(deps, await findCluster(deps, c.req.valid("param").id)), 200);
  })
  .openapi(updateCluster, async (c) => {
    const deps = c.var.deps;
    const row = await findCluster(deps, c.req.valid("param").id);
    const budget = { ...(row.budget ?? {}), ...budgetChange(c.req.valid("json").budget) };
    await deps.clusters.setBudget(row.id, budget);
    return c.json(await detail(deps, { ...row, budget }), 200);
  })
  .openapi(getKubeconfig, async (c) => {
    const deps = c.var.deps;
    const row = await findCluster(deps, c.req.valid("param").id);
    return c.body(kubeconfigOf(deps, row), 200, { "content-type": "application/yaml" });
  })
  .openapi(deleteCluster, async (c) => {
    const deps = c.var.deps;
    const row = await findCluster(deps, c.req.valid("param").id);
    await deps.clusters.markTerminating(row.id);
    // the teardown's resync finds Terminating clusters too: a queue that does not answer must not hold this
    void deps.triggers.teardownCluster(row.id).catch(() => undefined);
    return c.json(view(deps, { ...row, phase: "Terminating" }), 202);
  });
