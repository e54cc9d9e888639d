import type { Context } from "hono";
import { listTypesOf } from "../../core/k8s/crd/list-types";
import { customScale, replicasOfCustomScale } from "../../core/k8s/crd/scale";
import { prune } from "../../core/k8s/crd/structural";
import { KubeError, kubeErrors } from "../../core/k8s/errors";
import { applyConfiguration } from "../../core/k8s/managed-fields/managed-fields";
import { generateName } from "../../core/k8s/owners";
import { jsonPatch, mergePatch } from "../../core/k8s/patch";
import type { ResourceType } from "../../core/k8s/resources";
import { pruneFields, unknownFields } from "../../core/k8s/schema";
import { strategicMerge } from "../../core/k8s/strategic-merge";
import { strategyFor } from "../../core/k8s/strategies";
import { replicasFromScale, toScale } from "../../core/k8s/strategies/workloads";
import { rfc3339 } from "../../core/k8s/time";
import type { KubeObject } from "../../core/k8s/types";
import { storageOf } from "../../core/k8s/views";
import type { ObjectKey } from "../../core/objects";
import type { DeleteOptions } from "../../db/object-writer/deletion";
import type { WriteOptions } from "../../db/object-writer/writer";
import type { AppEnv } from "../env";
import { decodeObject } from "./body";
import { nodeMetrics, podMetrics } from "./metrics";
import { nodeObjects, writeNodeView } from "./nodes";
import { paginate } from "./pagination";
import { listsPlatformQuota, namesPlatformQuota, platformQuota } from "./platform-quota";
import type { RequestInfo } from "./request-info";
import { matches, selectorsOf } from "./selection";
import { served, stored } from "./served";
import { tableFor, wantsTable } from "./table-negotiation";
import { serveWatch } from "./watch";

type Ctx = Context<AppEnv>;

export function objectKey(clusterId: string, info: RequestInfo, name: string): ObjectKey {
  return { clusterId, ...storageOf(info.type), namespace: info.namespace, name };
}

/** A warning for the client, as kube-apiserver sends them: `Warning: 299 - "<text>"`, text quoted. */
function warn(c: Ctx, text: string): void {
  c.header("Warning", `299 - "${text.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`, { append: true });
}

async function respond(c: Ctx, type: ResourceType, obj: KubeObject, status: 200 | 201 = 200) {
  // kube-apiserver's warnings travel as HTTP Warning headers; kubectl prints them as "Warning: …"
  for (const warning of strategyFor(type).warnings?.(obj) ?? []) warn(c, warning);
  if (type.custom?.deprecationWarning) warn(c, type.custom.deprecationWarning);
  if (wantsTable(c))
    return c.json(tableFor(c, type, [obj], { resourceVersion: obj.metadata.resourceVersion }), status);
  return c.json(served(type, obj), status);
}

export async function getObject(c: Ctx, info: RequestInfo) {
  const name = info.name as string;
  if (info.type.virtual) {
    const found = (await virtualObjects(c, info)).find((n) => n.metadata.name === name);
    if (!found) throw kubeErrors.notFound(info.type.resource, info.type.group, name);
    return respond(c, info.type, found);
  }
  if (namesPlatformQuota(info, name)) return respond(c, info.type, await platformQuota(c));
  const obj = await c.var.deps.store.get(objectKey(c.var.cluster.id, info, name));
  if (!obj) throw kubeErrors.notFound(info.type.resource, info.type.group, name);
  return respond(c, info.type, obj);
}

export async function listObjects(c: Ctx, info: RequestInfo) {
  const sel = selectorsOf(c, info.type);
  if (isWatch(c)) return serveWatch(c, info, sel);
  const { items, resourceVersion } = info.type.virtual
    ? { items: await virtualObjects(c, info), resourceVersion: "1" }
    : await c.var.deps.store.list({
        clusterId: c.var.cluster.id,
        ...storageOf(info.type),
        ...(info.namespace ? { namespace: info.namespace } : {}),
      });
  const all = listsPlatformQuota(info) ? [await platformQuota(c), ...items] : items;
  const page = paginate(
    all.filter((o) => matches(info.type, sel, o)),
    c.req.query("limit"),
    c.req.query("continue"),
  );
  const listMeta = {
    resourceVersion,
    ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}),
  };
  if (wantsTable(c)) return c.json(tableFor(c, info.type, page.items, listMeta));
  return c.json({
    kind: `${info.type.kind}List`,
    apiVersion: info.type.group ? `${info.type.group}/${info.type.version}` : info.type.version,
    metadata: listMeta,
    items: page.items.map((o) => served(info.type, o)),
  });
}

function isWatch(c: Ctx): boolean {
  const w = c.req.query("watch");
  return w === "true" || w === "1";
}

function isDryRun(c: Ctx): boolean {
  return c.req.queries("dryRun")?.includes("All") ?? false;
}

/** The request's writer and dry-run, and the subresource written through, for the object write path. */
function writeOptions(c: Ctx, info: RequestInfo, manager = fieldManager(c)): WriteOptions {
  const subresource = info.subresource === "status" || info.subresource === "ephemeralcontainers";
  return {
    manager,
    dryRun: isDryRun(c),
    ...(subresource ? { subresource: info.subresource as WriteOptions["subresource"] } : {}),
  };
}

async function readBody(c: Ctx, info: RequestInfo): Promise<KubeObject> {
  const obj = decodeObject(await c.req.text(), c.req.header("content-type"));
  const expected = info.type.group ? `${info.type.group}/${info.type.version}` : info.type.version;
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
    throw kubeErrors.badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== info.type.kind) {
    throw kubeErrors.badRequest(
      `the kind in the data (${obj.kind}) does not match the expected kind (${info.type.kind})`,
    );
  }
  if (info.type.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== info.namespace) {
      throw kubeErrors.badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    obj.metadata.namespace = info.namespace;
  } else {
    delete obj.metadata.namespace;
  }
  return { ...obj, apiVersion: expected, kind: info.type.kind };
}

export async function createObject(c: Ctx, info: RequestInfo) {
  if (info.type.virtual || !info.type.verbs.includes("create")) throw kubeErrors.methodNotAllowed();
  if (info.type.namespaced && !info.namespace) throw kubeErrors.unknownResource();
  const obj = stored(info.type, checkFields(c, info, await readBody(c, info)));
  if (!obj.metadata.name && obj.metadata.generateName)
    obj.metadata.name = generateName(obj.metadata.generateName);
  const key = objectKey(c.var.cluster.id, info, obj.metadata.name ?? "");
  const created = await c.var.deps.writer.create(info.type, key, obj, writeOptions(c, info));
  return respond(c, info.type, created, 201);
}

export async function updateObject(c: Ctx, info: RequestInfo) {
  if (!info.type.verbs.includes("update")) throw kubeErrors.methodNotAllowed();
  if (info.type.virtual) return writeNode(c, info, () => readBody(c, info));
  const name = info.name as string;
  const obj = stored(info.type, checkFields(c, info, await readBody(c, info)));
  if (obj.metadata.name && obj.metadata.name !== name) {
    throw kubeErrors.badRequest(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  obj.metadata.name = name;
  const key = objectKey(c.var.cluster.id, info, name);
  return respond(c, info.type, await c.var.deps.writer.update(info.type, key, obj, writeOptions(c, info)));
}

async function readDeleteOptions(c: Ctx): Promise<DeleteOptions> {
  const text = await c.req.text();
  const options: DeleteOptions = text.trim()
    ? (decodeObject(text, c.req.header("content-type")) as DeleteOptions)
    : {};
  const grace = c.req.query("gracePeriodSeconds");
  if (grace !== undefined) options.gracePeriodSeconds = Number(grace);
  return options;
}

export async function deleteObject(c: Ctx, info: RequestInfo) {
  if (info.type.virtual || !info.type.verbs.includes("delete")) throw kubeErrors.methodNotAllowed();
  const name = info.name as string;
  const key = objectKey(c.var.cluster.id, info, name);
  const options = await readDeleteOptions(c);
  const outcome = await c.var.deps.writer.delete(info.type, key, { ...options, dryRun: isDryRun(c) });
  if (outcome.kind !== "gone") return respond(c, info.type, outcome.object);
  if (info.type.kind === "Pod" || info.type.kind === "Namespace")
    return respond(c, info.type, outcome.object);
  return c.json({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: {
      name,
      ...(info.type.group ? { group: info.type.group } : {}),
      kind: info.type.resource,
      uid: outcome.object.metadata.uid,
    },
  });
}

export async function deleteCollection(c: Ctx, info: RequestInfo) {
  if (info.type.virtual || !info.type.verbs.includes("deletecollection")) throw kubeErrors.methodNotAllowed();
  const sel = selectorsOf(c, info.type);
  const { deps, cluster } = c.var;
  const { items } = await deps.store.list({
    clusterId: cluster.id,
    ...storageOf(info.type),
    ...(info.namespace ? { namespace: info.namespace } : {}),
  });
  const options = await readDeleteOptions(c);
  const deleted: KubeObject[] = [];
  for (const obj of items.filter((o) => matches(info.type, sel, o))) {
    const key = {
      ...objectKey(cluster.id, info, obj.metadata.name as string),
      namespace: obj.metadata.namespace ?? "",
    };
    try {
      deleted.push((await deps.writer.delete(info.type, key, options, obj)).object);
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 404)) throw err;
    }
  }
  return c.json({
    kind: `${info.type.kind}List`,
    apiVersion: info.type.group ? `${info.type.group}/${info.type.version}` : info.type.version,
    metadata: {},
    items: deleted,
  });
}

/**
 * Applies a patch; merge patches pass through `check` first (unknown fields), JSON patches do not. Custom
 * resources have no strategic merge patch, as in kube-apiserver.
 */
function applyPatch(
  current: KubeObject,
  text: string,
  contentType: string,
  check: (patch: KubeObject) => KubeObject = (p) => p,
  custom = false,
): KubeObject {
  const type = contentType.split(";")[0]?.trim();
  if (custom && type === "application/strategic-merge-patch+json") throw kubeErrors.unsupportedPatchType();
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch (err) {
    if (err instanceof KubeError) throw err;
    throw kubeErrors.badRequest(`error decoding patch: ${(err as Error).message}`);
  }
  if (type !== "application/json-patch+json" && patch && typeof patch === "object" && !Array.isArray(patch))
    patch = check(patch as KubeObject);
  switch (type) {
    case "application/json-patch+json":
      return jsonPatch(current, patch) as KubeObject;
    case "application/strategic-merge-patch+json":
      return strategicMerge(current, patch) as KubeObject;
    case "application/merge-patch+json":
      return mergePatch(current, patch) as KubeObject;
    default:
      throw kubeErrors.unsupportedMediaType(type ?? "");
  }
}

/**
 * Fields the kind does not have, per `fieldValidation`: Strict refuses the write with the decoder's error,
 * Warn (the default) and Ignore drop them, Warn saying so in Warning headers.
 */
function checkFields(c: Ctx, info: RequestInfo, obj: KubeObject): KubeObject {
  const unknown = info.type.custom
    ? prune(structuredClone(obj), info.type.custom.schema, "", true)
    : unknownFields(obj, info.type);
  if (unknown.length === 0) return obj;
  const mode = c.req.query("fieldValidation") ?? "Warn";
  const list = unknown.map((p) => `unknown field "${p}"`);
  if (mode === "Strict") {
    const { kind, version } = info.type;
    throw kubeErrors.badRequest(
      `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${list.join(", ")}`,
    );
  }
  pruneFields(obj, unknown);
  if (mode !== "Ignore") for (const warning of list) warn(c, warning);
  return obj;
}

/** Objects served from the platform rather than stored in the cluster: nodes and their metrics, pods' metrics. */
async function virtualObjects(c: Ctx, info: RequestInfo): Promise<KubeObject[]> {
  const { deps, cluster } = c.var;
  if (info.type.group === "metrics.k8s.io")
    return info.type.resource === "pods"
      ? podMetrics(deps, cluster.id, info.namespace || undefined)
      : nodeMetrics(deps, cluster.id);
  return nodeObjects(deps, cluster.id);
}

/** A write to a node: only the cluster's own view of it changes (labels, annotations, spec). */
async function writeNode(
  c: Ctx,
  info: RequestInfo,
  change: (current: KubeObject) => KubeObject | Promise<KubeObject>,
) {
  const name = info.name as string;
  const { deps, cluster } = c.var;
  const current = (await nodeObjects(deps, cluster.id)).find((n) => n.metadata.name === name);
  if (!current) throw kubeErrors.notFound("nodes", "", name);
  const next = await change(structuredClone(current));
  if (!isDryRun(c))
    await writeNodeView(
      deps,
      cluster.id,
      { ...next, metadata: { ...next.metadata, name } },
      c.var.principal.kind === "admin",
    );
  const updated = (await nodeObjects(deps, cluster.id)).find((n) => n.metadata.name === name);
  return respond(c, info.type, updated ?? next);
}

/** Who writes, for managedFields: `fieldManager`, else the client's name (its User-Agent up to the `/`). */
function fieldManager(c: Ctx): string {
  return c.req.query("fieldManager") || (c.req.header("user-agent") ?? "unknown").split("/")[0] || "unknown";
}

/** Server-side apply names its manager: kube-apiserver refuses an apply without one. */
function applyManager(c: Ctx): string {
  const manager = c.req.query("fieldManager");
  if (!manager)
    throw kubeErrors.unprocessable(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  return manager;
}

function decodeApplied(c: Ctx, body: string, info: RequestInfo): KubeObject {
  const obj = checkFields(c, info, decodeObject(body, "application/apply-patch+yaml"));
  const expected = info.type.group ? `${info.type.group}/${info.type.version}` : info.type.version;
  if (obj.apiVersion !== expected || obj.kind !== info.type.kind)
    throw kubeErrors.badRequest(
      `the API version in the data (${obj.apiVersion}) and kind (${obj.kind}) do not match the request (${expected}, ${info.type.kind})`,
    );
  return obj;
}

/** Server-side apply of an object that does not exist: a create from the applied configuration. */
async function applyCreate(c: Ctx, info: RequestInfo, body: string) {
  const obj = checkFields(c, info, decodeObject(body, "application/apply-patch+yaml"));
  const name = info.name as string;
  if (obj.metadata.name && obj.metadata.name !== name) {
    throw kubeErrors.badRequest(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  const { deps, cluster } = c.var;
  const expected = info.type.group ? `${info.type.group}/${info.type.version}` : info.type.version;
  const configuration = {
    ...obj,
    apiVersion: expected,
    kind: info.type.kind,
    metadata: { ...obj.metadata, name, ...(info.type.namespaced ? { namespace: info.namespace } : {}) },
  };
  const manager = applyManager(c);
  const applied = applyConfiguration(
    undefined,
    configuration,
    manager,
    true,
    rfc3339(deps.now()),
    listTypesOf(info.type),
  );
  const key = objectKey(cluster.id, info, name);
  const created = await deps.writer.create(
    info.type,
    key,
    info.type.custom ? stored(info.type, applied) : applied,
    {
      ...writeOptions(c, info, manager),
      applied: true,
    },
  );
  return respond(c, info.type, created, 201);
}

/**
 * PATCH: JSON patch, merge patch and strategic merge patch as specified, and server-side apply with field
 * ownership (managedFields), conflicts and `force`.
 */
export async function patchObject(c: Ctx, info: RequestInfo) {
  if (!info.type.verbs.includes("patch")) throw kubeErrors.methodNotAllowed();
  if (info.type.virtual) {
    const text = await c.req.text();
    return writeNode(c, info, (current) => applyPatch(current, text, c.req.header("content-type") ?? ""));
  }
  const name = info.name as string;
  const { deps, cluster } = c.var;
  const key = objectKey(cluster.id, info, name);
  const body = await c.req.text();
  const contentType = c.req.header("content-type") ?? "";
  const apply = contentType.startsWith("application/apply-patch+yaml");
  const manager = apply ? applyManager(c) : fieldManager(c);
  // a patch without its own resourceVersion applies to the latest object; the write path tries it again
  // when a concurrent write (a status update, say) got there first
  const patchOnto = (current: KubeObject): KubeObject => {
    const patched = apply
      ? applyConfiguration(
          current,
          decodeApplied(c, body, info),
          manager,
          c.req.query("force") === "true",
          rfc3339(deps.now()),
          listTypesOf(info.type),
        )
      : applyPatch(
          served(info.type, current),
          body,
          contentType,
          (patch) => checkFields(c, info, patch),
          info.type.custom !== undefined,
        );
    if (!patched || typeof patched !== "object" || !patched.metadata) {
      throw kubeErrors.badRequest("the patch removed the object's metadata");
    }
    patched.metadata.name = name;
    if (info.type.namespaced) patched.metadata.namespace = info.namespace;
    // an applied configuration is merged as the stored object is; a custom resource's apiVersion is made the storage version's
    return apply && !info.type.custom ? patched : stored(info.type, patched);
  };
  const options = { ...writeOptions(c, info, manager), applied: apply };
  const updated = await deps.writer.mutate(info.type, key, patchOnto, options);
  if (updated) return respond(c, info.type, updated);
  // server-side apply creates what does not exist yet
  if (apply) return applyCreate(c, info, body);
  throw kubeErrors.notFound(info.type.resource, info.type.group, name);
}

function withReplicas(obj: KubeObject, replicas: number): KubeObject | undefined {
  const spec = obj.spec as { replicas?: number };
  if (spec.replicas === replicas) return undefined;
  spec.replicas = replicas;
  return obj;
}

/** `scale`: read and write spec.replicas through an autoscaling/v1 Scale, as `kubectl scale` does. */
export async function scaleObject(c: Ctx, info: RequestInfo) {
  const name = info.name as string;
  const { deps, cluster } = c.var;
  const key = objectKey(cluster.id, info, name);
  const current = await deps.store.get(key);
  if (!current) throw kubeErrors.notFound(info.type.resource, info.type.group, name);
  const custom = info.type.custom?.scale;
  const scaleOf = (obj: KubeObject) => (custom ? customScale(obj, custom) : toScale(obj));
  if (c.req.method === "GET") return c.json(scaleOf(current));
  if (c.req.method !== "PUT" && c.req.method !== "PATCH") throw kubeErrors.methodNotAllowed();
  const text = await c.req.text();
  const scale =
    c.req.method === "PUT"
      ? decodeObject(text, c.req.header("content-type"))
      : applyPatch(scaleOf(current) as KubeObject, text, c.req.header("content-type") ?? "");
  const replicas = replicasFromScale(scale);
  if (isDryRun(c)) return c.json({ ...scaleOf(current), spec: { replicas } });
  const updated = await deps.writer.mutate(
    info.type,
    key,
    (obj) => (custom ? replicasOfCustomScale(obj, custom, replicas) : withReplicas(obj, replicas)),
    { manager: fieldManager(c) },
  );
  return c.json(scaleOf(updated ?? current));
}
