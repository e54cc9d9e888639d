import { isDeepStrictEqual } from "node:util";
import { KubeError, statusFailure } from "../errors";
import type { KubeObject } from "../types";
import {
  builtInListTypes,
  fieldsOf,
  fromFieldsV1,
  keyOf,
  type ListTypes,
  type Path,
  pathOf,
  toFieldsV1,
  valueAt,
} from "./fieldset";

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: JsonObject;
}

interface Owned {
  entry: ManagedFieldsEntry;
  fields: Set<string>;
}

function owners(obj: KubeObject | undefined): Owned[] {
  const entries = (obj?.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  return entries.filter((e) => e?.manager).map((entry) => ({ entry, fields: fromFieldsV1(entry.fieldsV1) }));
}

function entriesOf(owned: Owned[]): ManagedFieldsEntry[] {
  return owned.filter((o) => o.fields.size > 0).map((o) => ({ ...o.entry, fieldsV1: toFieldsV1(o.fields) }));
}

const isLeaf = (key: string) => !key.endsWith("\u0000.");

/** Paths set or changed from `before` to `after`, and paths `before` had that `after` lacks. */
function diff(
  before: KubeObject | undefined,
  after: KubeObject,
  types: ListTypes,
): { changed: Set<string>; removed: Set<string> } {
  const was = before ? fieldsOf(before as JsonObject, types) : new Set<string>();
  const now = fieldsOf(after as JsonObject, types);
  const changed = new Set<string>();
  for (const key of now) {
    if (!was.has(key) || !isDeepStrictEqual(valueAt(before, pathOf(key)), valueAt(after, pathOf(key))))
      changed.add(key);
  }
  const removed = new Set([...was].filter((k) => !now.has(k)));
  return { changed, removed };
}

/**
 * managedFields after a create, update or patch by `manager`: it owns what it set or changed, which no
 * other manager owns any more; what it removed is nobody's.
 */
export function recordUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  now: string,
  types: ListTypes = builtInListTypes,
): ManagedFieldsEntry[] {
  const { changed, removed } = diff(before, after, types);
  const list = owners(before);
  for (const o of list) for (const key of [...changed, ...removed]) o.fields.delete(key);
  if (changed.size) {
    const mine = list.find((o) => o.entry.manager === manager && o.entry.operation === "Update");
    if (mine) {
      for (const key of changed) mine.fields.add(key);
      mine.entry = { ...mine.entry, time: now, apiVersion: after.apiVersion };
    } else {
      list.push({
        entry: {
          manager,
          operation: "Update",
          apiVersion: after.apiVersion,
          time: now,
          fieldsType: "FieldsV1",
          fieldsV1: {},
        },
        fields: changed,
      });
    }
  }
  return entriesOf(list);
}

function conflictError(conflicts: { manager: string; apiVersion: string; field: string }[]): KubeError {
  const describe = (c: { manager: string; apiVersion: string }) =>
    `conflict with "${c.manager}" using ${c.apiVersion}`;
  const message =
    conflicts.length === 1
      ? `Apply failed with 1 conflict: ${describe(conflicts[0] as (typeof conflicts)[0])}: ${conflicts[0]?.field}`
      : `Apply failed with ${conflicts.length} conflicts: ${conflicts.map((c) => `${describe(c)}: ${c.field}`).join("\n")}`;
  return new KubeError(
    statusFailure(409, "Conflict", message, {
      causes: conflicts.map((c) => ({
        reason: "FieldManagerConflict",
        message: describe(c),
        field: c.field,
      })),
    }),
  );
}

/** `.spec.replicas`, `.spec.template.spec.containers[name="web"].image`: how conflicts name fields. */
function readable(key: string): string {
  return pathOf(key)
    .filter((s) => s !== ".")
    .map((s) => {
      if (s.startsWith("f:")) return `.${s.slice(2)}`;
      if (s.startsWith("k:")) {
        const id = JSON.parse(s.slice(2)) as JsonObject;
        return `[${Object.entries(id)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(",")}]`;
      }
      return `[${s.slice(2)}]`;
    })
    .join("");
}

function removeAt(obj: JsonObject, path: Path): void {
  const parentPath = path.at(-1) === "." ? path.slice(0, -2) : path.slice(0, -1);
  const last = path.at(-1) === "." ? path.at(-2) : path.at(-1);
  const parent = parentPath.length ? valueAt(obj, parentPath) : obj;
  if (!last) return;
  if (last.startsWith("f:") && isObject(parent)) delete parent[last.slice(2)];
  else if ((last.startsWith("k:") || last.startsWith("v:")) && Array.isArray(parent)) {
    const index = parent.indexOf(valueAt(parent, [last]));
    if (index >= 0) parent.splice(index, 1);
  }
}

/** The applied configuration laid over the live object: maps merged, associative lists merged by key, sets united. */
function merge(live: Json, applied: Json, fields: string[], types: ListTypes): Json {
  if (isObject(applied)) {
    const out: JsonObject = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) out[k] = merge(out[k], v, [...fields, k], types);
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const type = types(fields, [...live, ...applied]);
    if (typeof type === "object") {
      const { keys } = type;
      const out = [...live];
      for (const item of applied) {
        const same = (x: Json) =>
          isObject(x) &&
          isObject(item) &&
          keys.every(
            (k) =>
              (x[k] ?? (k === "protocol" ? "TCP" : undefined)) ===
              (item[k] ?? (k === "protocol" ? "TCP" : undefined)),
          );
        const index = out.findIndex(same);
        if (index >= 0) out[index] = merge(out[index], item, [...fields, "[]"], types);
        else out.push(item);
      }
      return out;
    }
    if (type === "set") return [...new Set([...live, ...applied])];
  }
  return applied;
}

/**
 * Server-side apply: `applied` (a partial configuration) is merged into `live` for `manager`. Fields another
 * manager owns with a different value are conflicts (409, kube-apiserver's message) unless `force` takes
 * them over; fields this manager applied before and no longer applies are removed unless someone else owns
 * them. Returns the merged object with its managedFields.
 */
export function applyConfiguration(
  live: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  force: boolean,
  now: string,
  types: ListTypes = builtInListTypes,
): KubeObject {
  const appliedFields = fieldsOf(applied as JsonObject, types);
  const list = owners(live);
  const conflicts: { manager: string; apiVersion: string; field: string; key: string }[] = [];
  for (const other of list) {
    if (other.entry.manager === manager) continue;
    for (const key of appliedFields) {
      if (!isLeaf(key) || !other.fields.has(key)) continue;
      if (!isDeepStrictEqual(valueAt(live, pathOf(key)), valueAt(applied, pathOf(key))))
        conflicts.push({
          manager: other.entry.manager,
          apiVersion: other.entry.apiVersion,
          field: readable(key),
          key,
        });
    }
  }
  if (conflicts.length && !force) throw conflictError(conflicts);
  for (const c of conflicts) list.find((o) => o.entry.manager === c.manager)?.fields.delete(c.key);

  const previous = list.find((o) => o.entry.manager === manager && o.entry.operation === "Apply");
  const object = structuredClone(
    live ?? ({ apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} } as KubeObject),
  );
  const ownedElsewhere = [...new Set(list.filter((o) => o !== previous).flatMap((o) => [...o.fields]))];
  // a list item stays while another manager owns one of its fields
  const held = (key: string) => {
    const prefix = key.endsWith("\u0000.") ? key.slice(0, -1) : key;
    return ownedElsewhere.some((k) => k === key || k.startsWith(prefix));
  };
  // the key fields of an item that stays stay with it
  const keyOfHeldItem = (key: string) => {
    const path = pathOf(key);
    const item = path.at(-2);
    if (!item?.startsWith("k:") || !path.at(-1)?.startsWith("f:")) return false;
    const id = JSON.parse(item.slice(2)) as JsonObject;
    return (path.at(-1) as string).slice(2) in id && held(keyOf([...path.slice(0, -1), "."]));
  };
  const dropped = [...(previous?.fields ?? [])].filter(
    (k) => !appliedFields.has(k) && !held(k) && !keyOfHeldItem(k),
  );
  // shallowest first: a list item goes before its fields, while its key fields still find it
  const depth = (key: string) => pathOf(key).filter((s) => s !== ".").length;
  for (const key of dropped.sort((a, b) => depth(a) - depth(b))) removeAt(object as JsonObject, pathOf(key));
  const merged = merge(object, applied, [], types) as KubeObject;

  const others = list.filter((o) => o !== previous);
  others.push({
    entry: {
      manager,
      operation: "Apply",
      apiVersion: applied.apiVersion,
      time: now,
      fieldsType: "FieldsV1",
      fieldsV1: {},
    },
    fields: appliedFields,
  });
  merged.metadata.managedFields = entriesOf(others);
  return merged;
}
