import * as models from "@kubernetes/client-node/dist/gen/models/all.js";
import type { ResourceType } from "./resources";

/**
 * The shape of the built-in types, from the Kubernetes client's generated models (field names and types of
 * every API type): what tells a misspelled field from a real one, as kube-apiserver's decoder does.
 */
interface Attribute {
  baseName: string;
  type: string;
}

type Model = { getAttributeTypeMap(): Attribute[] };
const MODELS = models as unknown as Record<string, Model | undefined>;

/** The model of a kind: `V1Pod`, `V2HorizontalPodAutoscaler`, `CoreV1Event`… */
export function modelOf(type: Pick<ResourceType, "group" | "version" | "kind">): string | undefined {
  const version = type.version.charAt(0).toUpperCase() + type.version.slice(1);
  const group = type.group.split(".")[0] ?? "";
  const prefix = type.group ? group.charAt(0).toUpperCase() + group.slice(1) : "Core";
  return [`${version}${type.kind}`, `${prefix}${version}${type.kind}`].find((name) => MODELS[name]);
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

function walk(value: unknown, typeName: string, path: string, out: string[]): void {
  const array = ARRAY.exec(typeName);
  if (array) {
    if (Array.isArray(value))
      for (const [i, item] of value.entries()) walk(item, array[1] as string, `${path}[${i}]`, out);
    return;
  }
  const map = MAP.exec(typeName);
  if (map) {
    if (value && typeof value === "object" && !Array.isArray(value))
      for (const [k, v] of Object.entries(value)) walk(v, map[1] as string, `${path}.${k}`, out);
    return;
  }
  const model = MODELS[typeName];
  if (!model || !value || typeof value !== "object" || Array.isArray(value)) return;
  const fields = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    // strategic merge patch directives ($patch, $setElementOrder/…, $retainKeys…)
    if (k.startsWith("$")) continue;
    const field = path ? `${path}.${k}` : k;
    const fieldType = fields.get(k);
    if (fieldType === undefined) out.push(field);
    else walk(v, fieldType, field, out);
  }
}

/** Paths of the fields an object of this kind has that its type does not: `spec.template.spec.containers[0].imagee`. */
export function unknownFields(obj: object, type: Pick<ResourceType, "group" | "version" | "kind">): string[] {
  const model = modelOf(type);
  if (!model) return [];
  const out: string[] = [];
  walk(obj, model, "", out);
  return out;
}

/** Removes the fields at these paths, as the decoder drops what it does not know. */
export function pruneFields(obj: object, paths: string[]): void {
  for (const path of paths) {
    const steps = path.match(/[^.[\]]+/g) ?? [];
    let node: unknown = obj;
    for (const step of steps.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[step];
    if (node && typeof node === "object") delete (node as Record<string, unknown>)[steps.at(-1) as string];
  }
}
