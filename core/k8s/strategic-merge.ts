import { kubeErrors } from "./errors";

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * The patchMergeKey of list fields whose patchStrategy is `merge` in the built-in types, by field name.
 * Container and service ports share the name `ports`; their key is chosen from the items themselves.
 */
const MERGE_KEYS: Record<string, string | ((items: JsonObject[]) => string)> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  env: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  conditions: "type",
  ownerReferences: "uid",
  resourceClaims: "name",
  schedulingGates: "name",
  ports: (items) => (items.some((i) => "containerPort" in i) ? "containerPort" : "port"),
};

/** Lists of scalars merged as sets (patchStrategy merge without a key). */
const MERGED_SCALAR_LISTS = new Set(["finalizers"]);

function mergeKeyFor(field: string, items: JsonObject[]): string | undefined {
  const key = MERGE_KEYS[field];
  return typeof key === "function" ? key(items) : key;
}

function sameKey(a: JsonObject, b: JsonObject, key: string): boolean {
  if (key === "containerPort")
    return a.containerPort === b.containerPort && (a.protocol ?? "TCP") === (b.protocol ?? "TCP");
  if (key === "port") return a.port === b.port && (a.protocol ?? "TCP") === (b.protocol ?? "TCP");
  return a[key] === b[key];
}

function mergeKeyedList(field: string, original: Json[], patch: Json[], order: Json[] | undefined): Json[] {
  const items = [...original, ...patch].filter(isObject);
  const key = mergeKeyFor(field, items);
  if (!key) return patch;
  const result = original.filter(isObject).map((o) => ({ ...o }));
  for (const p of patch) {
    if (!isObject(p))
      throw kubeErrors.badRequest(`unable to find api field in struct for the json field "${field}"`);
    const index = result.findIndex((r) => sameKey(r, p, key));
    if (p.$patch === "delete") {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (p.$patch === "replace") {
      const { $patch: _, ...rest } = p;
      if (index >= 0) result[index] = rest;
      else result.push(rest);
      continue;
    }
    if (index >= 0) result[index] = strategicMerge(result[index], p) as JsonObject;
    else result.push(strategicMerge({}, p) as JsonObject);
  }
  if (!order) return result;
  const ordered: JsonObject[] = [];
  for (const o of order.filter(isObject)) {
    const found = result.find((r) => sameKey(r, o, key));
    if (found) ordered.push(found);
  }
  return [...ordered, ...result.filter((r) => !ordered.includes(r))];
}

/**
 * Strategic merge patch as kube-apiserver applies it to built-in types: maps merge, `null` deletes,
 * lists with a merge key merge item by item (`$patch: delete|replace`, `$setElementOrder/…`),
 * `$deleteFromPrimitiveList/…` and `$retainKeys` are honoured, other lists are replaced.
 */
export function strategicMerge(original: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  if (patch.$patch === "delete") return undefined;
  const result: JsonObject = isObject(original) ? { ...original } : {};
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(result)) if (!(patch.$retainKeys as string[]).includes(k)) delete result[k];
  }
  for (const [field, value] of Object.entries(patch)) {
    if (field.startsWith("$")) {
      const remove = /^\$deleteFromPrimitiveList\/(.+)$/.exec(field)?.[1];
      if (remove && Array.isArray(result[remove]) && Array.isArray(value)) {
        result[remove] = (result[remove] as Json[]).filter((v) => !(value as Json[]).includes(v));
      }
      continue;
    }
    if (value === null) {
      delete result[field];
      continue;
    }
    const current = result[field];
    if (Array.isArray(value)) {
      const order = patch[`$setElementOrder/${field}`] as Json[] | undefined;
      if (MERGED_SCALAR_LISTS.has(field)) {
        const merged = [...(Array.isArray(current) ? current : [])];
        for (const v of value) if (!merged.includes(v)) merged.push(v);
        result[field] = merged;
      } else if (MERGE_KEYS[field] !== undefined && Array.isArray(current)) {
        result[field] = mergeKeyedList(field, current, value, order);
      } else {
        result[field] = value.map((v) => (isObject(v) ? strategicMerge({}, v) : v));
      }
      continue;
    }
    if (isObject(value)) {
      const merged = strategicMerge(current, value);
      if (merged === undefined) delete result[field];
      else result[field] = merged;
      continue;
    }
    result[field] = value;
  }
  for (const field of Object.keys(patch)) {
    const ordered = /^\$setElementOrder\/(.+)$/.exec(field)?.[1];
    if (
      ordered &&
      !(ordered in patch) &&
      Array.isArray(result[ordered]) &&
      MERGE_KEYS[ordered] !== undefined
    ) {
      result[ordered] = mergeKeyedList(ordered, result[ordered] as Json[], [], patch[field] as Json[]);
    }
  }
  return result;
}
