import type { Context } from "hono";
import { KubeError, kubeErrors } from "../../core/k8s/errors";
import { applyConfiguration, recordUpdate } from "../../core/k8s/managed-fields/managed-fields";
import { generateName } from "../../core/k8s/owners";
import { jsonPatch, mergePatch } from "../../core/k8s/patch";
import type { ResourceType } from "../../core/k8s/resources";
import { pruneFields, unknownFields } from "../../core/k8s/schema";
import { strategicMerge } from "../../core/k8s/strategic-merge";
import { rfc3339 } from "../../core/k8s/time";
import type { KubeObject } from "../../core/k8s/types";
import { storageOf } from "../../core/k8s/views";
import { checkPreconditions, type ObjectKey } from "../../db/store";
import type { AppEnv } from "../env";
import { decodeObject } from "./body";
import { guardDeletionMarks, markForDeletion } from "./deletion";
import { nodeMetrics, podMetrics } from "./metrics";
import { nodeObjects, writeNodeView } from "./nodes";
import { paginate } from "./pagination";
import {
  listsPlatformQuota,
  namesPlatformQuota,
  platformQuota,
  refusePlatformQuotaWrite,
} from "./platform-quota";
import type { RequestInfo } from "./request-info";
import { matches, selectorsOf } from "./selection";
import { served, stored } from "./served";
import { strategyFor } from "./strategies";
import { updateEphemeralContainers } from "./strategies/pods";
import type { Strategy } from "./strategies/strategy";
import { replicasFromScale, toScale } from "./strategies/workloads";
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
  if (wantsTable(c))
    return c.json(tableFor(c, type, [obj], { resourceVersion: obj.metadata.resourceVersion }), status);
  return c.json(served(type, obj), status);
}

async function ensureNamespaceAcceptsWrites(c: Ctx, namespace: string): Promise<void> {
  if (!namespace) return;
  const { store } = c.var.deps;
  const ns = await store.get({
    clusterId: c.var.cluster.id,
    group: "",
    resource: "namespaces",
    namespace: "",
    name: namespace,
  });
  if (!ns) throw kubeErrors.notFound("namespaces", "", namespace);
  if (ns.metadata.deletionTimestamp) {
    throw kubeErrors.forbidden(
      `unable to create new content in namespace ${namespace} because it is being terminated`,
    );
  }
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
  if (namesPlatformQuota(info, obj.metadata.name)) refusePlatformQuotaWrite();
  const { deps, cluster } = c.var;
  const strategy = strategyFor(info.type);
  const prepared = strategy.create(obj, { now: deps.now(), type: info.type });
  trackManagers(c, info, undefined, prepared);
  await ensureNamespaceAcceptsWrites(c, info.namespace);
  if (isDryRun(c)) return respond(c, info.type, prepared, 201);
  const key = objectKey(cluster.id, info, prepared.metadata.name as string);
  const created = await deps.store.create(key, prepared);
  return respond(c, info.type, created, 201);
}

export async function updateObject(c: Ctx, info: RequestInfo) {
  if (namesPlatformQuota(info, info.name)) refusePlatformQuotaWrite();
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
  const { deps, cluster } = c.var;
  const key = objectKey(cluster.id, info, name);
  const current = await deps.store.get(key);
  if (!current) throw kubeErrors.notFound(info.type.resource, info.type.group, name);
  const strategy = strategyFor(info.type);
  const ctx = { now: deps.now(), type: info.type };
  const next = writeThrough(strategy, info, obj, current, ctx);
  guardDeletionMarks(next, current, info.type);
  trackManagers(c, info, current, next);
  if (isDryRun(c)) return respond(c, info.type, next);
  const updated = await deps.store.update(key, next);
  return respond(c, info.type, updated);
}

interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
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
  if (namesPlatformQuota(info, info.name)) refusePlatformQuotaWrite();
  if (info.type.virtual || !info.type.verbs.includes("delete")) throw kubeErrors.methodNotAllowed();
  const name = info.name as string;
  const { deps, cluster } = c.var;
  const key = objectKey(cluster.id, info, name);
  const options = await readDeleteOptions(c);
  const current = await deps.store.get(key);
  if (!current) throw kubeErrors.notFound(info.type.resource, info.type.group, name);
  checkPreconditions(key, current, options.preconditions);
  const strategy = strategyFor(info.type);
  if (isDryRun(c)) return respond(c, info.type, current);
  const outcome =
    (await markForDeletion(deps, info.type, key, current, options)) ??
    (await strategy.delete(deps, key, current, options));
  if (outcome.kind === "pending") return respond(c, info.type, outcome.object);
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
      uid: current.metadata.uid,
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
  const strategy = strategyFor(info.type);
  const deleted: KubeObject[] = [];
  for (const obj of items.filter((o) => matches(info.type, sel, o))) {
    const key = {
      ...objectKey(cluster.id, info, obj.metadata.name as string),
      namespace: obj.metadata.namespace ?? "",
    };
    try {
      const outcome =
        (await markForDeletion(deps, info.type, key, obj, options)) ??
        (await strategy.delete(deps, key, obj, options));
      deleted.push(outcome.object);
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

/** Applies a patch; merge patches pass through `check` first (unknown fields), JSON patches do not. */
function applyPatch(
  current: KubeObject,
  text: string,
  contentType: string,
  check: (patch: KubeObject) => KubeObject = (p) => p,
): KubeObject {
  const type = contentType.split(";")[0]?.trim();
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
  const unknown = unknownFields(obj, info.type);
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
  if (!isDryRun(c)) await writeNodeView(deps, cluster.id, { ...next, metadata: { ...next.metadata, name } });
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

/** A non-apply write: the writer owns what it changed (status writes leave ownership as it was). */
function trackManagers(c: Ctx, info: RequestInfo, current: KubeObject | undefined, next: KubeObject): void {
  if (info.subresource === "status") {
    next.metadata.managedFields = current?.metadata.managedFields;
    if (!next.metadata.managedFields) delete next.metadata.managedFields;
    return;
  }
  const managed = recordUpdate(current, next, fieldManager(c), rfc3339(c.var.deps.now()));
  if (managed.length) next.metadata.managedFields = managed;
  else delete next.metadata.managedFields;
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
  const applied = applyConfiguration(undefined, configuration, applyManager(c), true, rfc3339(deps.now()));
  const prepared = strategyFor(info.type).create(applied, { now: deps.now(), type: info.type });
  await ensureNamespaceAcceptsWrites(c, info.namespace);
  if (isDryRun(c)) return respond(c, info.type, prepared, 201);
  return respond(c, info.type, await deps.store.create(objectKey(cluster.id, info, name), prepared), 201);
}

/**
 * PATCH: JSON patch, merge patch and strategic merge patch as specified, and server-side apply with field
 * ownership (managedFields), conflicts and `force`.
 */
export async function patchObject(c: Ctx, info: RequestInfo) {
  if (namesPlatformQuota(info, info.name)) refusePlatformQuotaWrite();
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
  const strategy = strategyFor(info.type);
  // like kube-apiserver's GuaranteedUpdate: a patch without its own resourceVersion applies to the
  // latest object, and is retried when a concurrent write (a status update, say) got there first
  for (let attempt = 0; ; attempt++) {
    const current = await deps.store.get(key);
    if (!current) {
      // server-side apply creates what does not exist yet
      if (contentType.startsWith("application/apply-patch+yaml")) return applyCreate(c, info, body);
      throw kubeErrors.notFound(info.type.resource, info.type.group, name);
    }
    const apply = contentType.startsWith("application/apply-patch+yaml");
    const patched = apply
      ? applyConfiguration(
          current,
          decodeApplied(c, body, info),
          applyManager(c),
          c.req.query("force") === "true",
          rfc3339(deps.now()),
        )
      : stored(
          info.type,
          applyPatch(served(info.type, current), body, contentType, (patch) => checkFields(c, info, patch)),
        );
    if (!patched || typeof patched !== "object" || !patched.metadata) {
      throw kubeErrors.badRequest("the patch removed the object's metadata");
    }
    const pinned = patched.metadata.resourceVersion !== current.metadata.resourceVersion;
    patched.metadata.name = name;
    if (info.type.namespaced) patched.metadata.namespace = info.namespace;
    patched.metadata.resourceVersion ??= current.metadata.resourceVersion;
    const ctx = { now: deps.now(), type: info.type };
    const next = writeThrough(strategy, info, patched, current, ctx);
    guardDeletionMarks(next, current, info.type);
    if (!apply) trackManagers(c, info, current, next);
    if (isDryRun(c)) return respond(c, info.type, next);
    try {
      return respond(c, info.type, await deps.store.update(key, next));
    } catch (err) {
      const conflict = err instanceof KubeError && err.status.reason === "Conflict";
      if (!conflict || pinned || attempt >= 4) throw err;
    }
  }
}

/** An update through the object or one of its writable subresources (`status`, `ephemeralcontainers`). */
function writeThrough(
  strategy: Strategy,
  info: RequestInfo,
  next: KubeObject,
  current: KubeObject,
  ctx: Parameters<Strategy["update"]>[2],
): KubeObject {
  if (info.subresource === "status") return strategy.updateStatus(next, current, ctx);
  if (info.subresource === "ephemeralcontainers") return updateEphemeralContainers(next, current);
  return strategy.update(next, current, ctx);
}

/** `scale`: read and write spec.replicas through an autoscaling/v1 Scale, as `kubectl scale` does. */
export async function scaleObject(c: Ctx, info: RequestInfo) {
  const name = info.name as string;
  const { deps, cluster } = c.var;
  const key = objectKey(cluster.id, info, name);
  const current = await deps.store.get(key);
  if (!current) throw kubeErrors.notFound(info.type.resource, info.type.group, name);
  if (c.req.method === "GET") return c.json(toScale(current));
  if (c.req.method !== "PUT" && c.req.method !== "PATCH") throw kubeErrors.methodNotAllowed();
  const text = await c.req.text();
  const scale =
    c.req.method === "PUT"
      ? decodeObject(text, c.req.header("content-type"))
      : applyPatch(toScale(current) as KubeObject, text, c.req.header("content-type") ?? "");
  const replicas = replicasFromScale(scale);
  if (isDryRun(c)) return c.json({ ...toScale(current), spec: { replicas } });
  const manager = fieldManager(c);
  const updated = await deps.store.mutate(key, (obj) => {
    const spec = obj.spec as { replicas?: number };
    if (spec.replicas === replicas) return undefined;
    const before = structuredClone(obj);
    spec.replicas = replicas;
    obj.metadata.generation = (obj.metadata.generation ?? 1) + 1;
    obj.metadata.managedFields = recordUpdate(before, obj, manager, rfc3339(deps.now()));
    return obj;
  });
  return c.json(toScale(updated ?? current));
}
