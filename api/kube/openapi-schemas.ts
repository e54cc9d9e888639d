import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as models from "@kubernetes/client-node/dist/gen/models/all.js";
import type { ResourceType } from "../../core/k8s/resources";
import { modelOf } from "../../core/k8s/schema";

/**
 * OpenAPI v3 schemas of the served kinds, built from the Kubernetes client's generated models: field names
 * and types from their attribute maps, descriptions and required fields from their declaration files.
 * Enough for `kubectl explain` to walk and print any field.
 */

interface Attribute {
  baseName: string;
  type: string;
  format: string;
}

type Schema = Record<string, unknown>;
const MODELS = models as unknown as Record<string, { getAttributeTypeMap(): Attribute[] } | undefined>;
const MODELS_DIR = join(
  dirname(createRequire(import.meta.url).resolve("@kubernetes/client-node/package.json")),
  "dist/gen/models",
);

interface Docs {
  description: string;
  fields: Map<string, { description: string; required: boolean }>;
}

const docsCache = new Map<string, Docs>();

const commentText = (text: string) =>
  text
    .split("\n")
    .map((l) => l.replace(/^\s*\*\s?/, ""))
    .join(" ")
    .replace(/\\(['"])/g, "$1")
    .trim();

/** The JSDoc of a generated model: the type's description and each field's, and which are required. */
function docsOf(model: string): Docs {
  const cached = docsCache.get(model);
  if (cached) return cached;
  const docs: Docs = { description: "", fields: new Map() };
  try {
    const text = readFileSync(join(MODELS_DIR, `${model}.d.ts`), "utf8");
    const declaration = text.indexOf("export declare class");
    const comment = text.lastIndexOf("/**", declaration);
    if (declaration > 0 && comment >= 0)
      docs.description = commentText(text.slice(comment + 3, text.lastIndexOf("*/", declaration)));
    for (const m of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*'([^']+)'(\?)?:/g))
      docs.fields.set(m[2] as string, { description: commentText(m[1] as string), required: !m[3] });
  } catch {
    // no declaration file: names and types only
  }
  docsCache.set(model, docs);
  return docs;
}

const VERSIONED = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)(.+)$/;

/** `V1Container` → `io.k8s.api.v1.Container`: kubectl names a field's type after the last segment. */
export function schemaName(model: string): string {
  const m = VERSIONED.exec(model);
  return m ? `io.k8s.api.${(m[2] as string).toLowerCase()}.${m[3]}` : `io.k8s.api.${model}`;
}

function typeSchema(type: string, format: string, need: (model: string) => void): Schema {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: "array", items: typeSchema(array[1] as string, "", need) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: "object", additionalProperties: typeSchema(map[1] as string, "", need) };
  switch (type) {
    case "string":
      return { type: "string", ...(format ? { format } : {}) };
    case "number":
      return format === "double"
        ? { type: "number", format }
        : { type: "integer", ...(format ? { format } : {}) };
    case "boolean":
      return { type: "boolean" };
    case "Date":
      return { type: "string", format: "date-time" };
    case "IntOrString":
      return { "x-kubernetes-int-or-string": true };
    case "any":
    case "object":
      return { type: "object" };
    default:
      if (!MODELS[type]) return { type: "object" };
      need(type);
      return { allOf: [{ $ref: `#/components/schemas/${schemaName(type)}` }] };
  }
}

function modelSchema(model: string, need: (model: string) => void): Schema {
  const docs = docsOf(model);
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const attr of MODELS[model]?.getAttributeTypeMap() ?? []) {
    const field = docs.fields.get(attr.baseName);
    properties[attr.baseName] = {
      ...typeSchema(attr.type, attr.format, need),
      ...(field?.description ? { description: field.description } : {}),
    };
    if (field?.required) required.push(attr.baseName);
  }
  return {
    type: "object",
    ...(docs.description ? { description: docs.description } : {}),
    properties,
    ...(required.length ? { required } : {}),
  };
}

const OBJECT_META = "V1ObjectMeta";

/** A custom kind's schema: its CRD version's, with apiVersion, kind and metadata as every object has them. */
function customSchema(t: ResourceType): Schema {
  const schema = structuredClone(
    t.custom?.schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  );
  return {
    ...schema,
    properties: {
      apiVersion: {
        type: "string",
        description: docsOf("V1Pod").fields.get("apiVersion")?.description ?? "",
      },
      kind: { type: "string", description: docsOf("V1Pod").fields.get("kind")?.description ?? "" },
      metadata: { allOf: [{ $ref: `#/components/schemas/${schemaName(OBJECT_META)}` }] },
      ...schema.properties,
    },
    "x-kubernetes-group-version-kind": [{ group: t.group, version: t.version, kind: t.kind }],
  };
}

/** `example.com` → `com.example`: how kube-apiserver names custom kinds' schemas. */
const reversedGroup = (group: string) => group.split(".").reverse().join(".");

/** The schemas of these kinds and of every type they reach, keyed as kube-apiserver names them. */
export function schemasOf(types: ResourceType[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const queue: string[] = [];
  const need = (model: string) => {
    if (!out[schemaName(model)] && !queue.includes(model)) queue.push(model);
  };
  for (const t of types) {
    const gvk = [{ group: t.group, version: t.version, kind: t.kind }];
    if (t.custom) {
      out[`${reversedGroup(t.group)}.${t.version}.${t.kind}`] = customSchema(t);
      need(OBJECT_META);
      continue;
    }
    const model = modelOf(t);
    const key = `io.k8s.api.${t.group || "core"}.${t.version}.${t.kind}`;
    out[key] = model
      ? { ...modelSchema(model, need), "x-kubernetes-group-version-kind": gvk }
      : { type: "object", "x-kubernetes-group-version-kind": gvk };
  }
  while (queue.length) {
    const model = queue.shift() as string;
    out[schemaName(model)] ??= modelSchema(model, need);
  }
  return out;
}
