/**
 * Field sets as server-side apply sees objects: every leaf value, and every item of an associative list,
 * named by its path (`f:spec`, `f:containers`, `k:{"name":"web"}`, `f:image`…), serialised as FieldsV1.
 */

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/** The keys of built-in kinds' associative lists (x-kubernetes-list-type: map) by field name. */
function associativeKeys(field: string, items: Json[]): string[] | undefined {
  switch (field) {
    case "containers":
    case "initContainers":
    case "ephemeralContainers":
    case "volumes":
    case "env":
    case "imagePullSecrets":
    case "resourceClaims":
    case "schedulingGates":
      return ["name"];
    case "volumeMounts":
      return ["mountPath"];
    case "conditions":
      return ["type"];
    case "ownerReferences":
      return ["uid"];
    case "hostAliases":
      return ["ip"];
    case "ports":
      return items.some((i) => isObject(i) && "containerPort" in i)
        ? ["containerPort", "protocol"]
        : ["port", "protocol"];
    default:
      return undefined;
  }
}

const SETS = new Set(["finalizers"]);

/** How server-side apply treats a list: merged item by item on its keys, merged as a set, or whole (atomic). */
export type ListType = { keys: string[] } | "set" | "atomic";

/** The type of the list at `fields`: the field names from the object's root, `[]` standing for a list's items. */
export type ListTypes = (fields: readonly string[], items: Json[]) => ListType;

/** Built-in kinds' lists: associative ones by field name, finalizers a set, every other list atomic. */
export const builtInListTypes: ListTypes = (fields, items) => {
  const field = fields.at(-1) ?? "";
  const keys = associativeKeys(field, items);
  if (keys) return { keys };
  return SETS.has(field) ? "set" : "atomic";
};

/** Fields that are the object's identity or the server's, never owned by a manager. */
const UNTRACKED_METADATA = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
]);

export type Path = string[];

export const keyOf = (path: Path) => path.join("\u0000");
export const pathOf = (key: string): Path => key.split("\u0000");

function itemSegment(item: Json, keys: string[]): string {
  const id: JsonObject = {};
  for (const k of [...keys].sort()) if (isObject(item) && item[k] !== undefined) id[k] = item[k];
  if (keys.includes("protocol") && isObject(item) && item.protocol === undefined) id.protocol = "TCP";
  return `k:${JSON.stringify(id)}`;
}

function walk(value: Json, fields: string[], path: Path, out: Set<string>, types: ListTypes): void {
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.add(keyOf(path));
    for (const [k, v] of entries) walk(v, [...fields, k], [...path, `f:${k}`], out, types);
    return;
  }
  if (Array.isArray(value)) {
    const type = types(fields, value);
    if (typeof type === "object") {
      for (const item of value) {
        const itemPath = [...path, itemSegment(item, type.keys)];
        out.add(keyOf([...itemPath, "."]));
        if (isObject(item))
          for (const [k, v] of Object.entries(item))
            walk(v, [...fields, "[]", k], [...itemPath, `f:${k}`], out, types);
      }
      return;
    }
    if (type === "set") {
      for (const item of value) out.add(keyOf([...path, `v:${JSON.stringify(item)}`]));
      return;
    }
  }
  out.add(keyOf(path));
}

/** The fields an object (or an applied configuration) sets; status and identity are left out. */
export function fieldsOf(obj: JsonObject, types: ListTypes = builtInListTypes): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind" || k === "status") continue;
    if (k === "metadata" && isObject(v)) {
      for (const [mk, mv] of Object.entries(v))
        if (!UNTRACKED_METADATA.has(mk)) walk(mv, ["metadata", mk], ["f:metadata", `f:${mk}`], out, types);
      continue;
    }
    walk(v, [k], [`f:${k}`], out, types);
  }
  return out;
}

/** The value at a path, or undefined when the object has none there. */
export function valueAt(obj: Json, path: Path): Json {
  let current: Json = obj;
  for (const segment of path) {
    if (segment === ".") return current;
    if (segment.startsWith("f:")) {
      current = isObject(current) ? current[segment.slice(2)] : undefined;
    } else if (segment.startsWith("k:")) {
      const id = JSON.parse(segment.slice(2)) as JsonObject;
      const keys = Object.keys(id);
      current = Array.isArray(current)
        ? current.find((item) => itemSegment(item, keys) === segment)
        : undefined;
    } else if (segment.startsWith("v:")) {
      const wanted = segment.slice(2);
      current = Array.isArray(current) ? current.find((item) => JSON.stringify(item) === wanted) : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** FieldsV1: the set as a tree of segments, `.` marking a node that is itself a member. */
export function toFieldsV1(set: Set<string>): JsonObject {
  const root: JsonObject = {};
  for (const key of [...set].sort()) {
    let node = root;
    for (const segment of pathOf(key)) {
      node[segment] ??= {};
      node = node[segment] as JsonObject;
    }
  }
  return root;
}

export function fromFieldsV1(tree: JsonObject | undefined): Set<string> {
  const out = new Set<string>();
  const visit = (node: JsonObject, path: Path) => {
    const children = Object.entries(node);
    if (children.length === 0 && path.length) out.add(keyOf(path));
    for (const [segment, child] of children) visit(isObject(child) ? child : {}, [...path, segment]);
  };
  visit(tree ?? {}, []);
  return out;
}
