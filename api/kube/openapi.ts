import { createHash } from "node:crypto";
import type { ResourceType } from "../../core/k8s/resources";
import { BUILT_IN_TYPES, type ServedTypes } from "../../core/k8s/served-types";
import { KUBE_VERSION } from "./discovery";
import { schemasOf } from "./openapi-schemas";
import { encodeMessage, type Field } from "./protobuf";

/** `api/v1` or `apis/{group}/{version}`: the keys of the OpenAPI v3 index. */
function gvPath(gv: { group: string; version: string }): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : "api/v1";
}

const FIELD_VALIDATION = {
  name: "fieldValidation",
  in: "query",
  description: "Strict, Warn or Ignore: how the server treats unknown or duplicate fields.",
  schema: { type: "string", uniqueItems: true },
};

function objectPaths(t: ResourceType) {
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const base = `/${gvPath(t)}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.resource}`;
  const op = (action: string) => ({
    operationId: `${action}${t.kind}`,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
    parameters: action === "patch" || action === "post" || action === "put" ? [FIELD_VALIDATION] : [],
    responses: { "200": { description: "OK" } },
  });
  const writable = t.verbs.includes("create");
  return {
    [base]: { get: op("list"), ...(writable ? { post: op("post") } : {}) },
    [`${base}/{name}`]: {
      get: op("get"),
      ...(writable ? { put: op("put"), patch: op("patch"), delete: op("delete") } : {}),
    },
  };
}

function buildDocument(types: ResourceType[]) {
  return types.length
    ? {
        openapi: "3.0.0",
        info: { title: "Kubernetes", version: KUBE_VERSION.gitVersion },
        paths: Object.assign({}, ...types.map(objectPaths)),
        components: { schemas: schemasOf(types) },
      }
    : undefined;
}

/**
 * The OpenAPI v3 document of one group version: paths (so kubectl sees server-side field validation) and
 * the schemas of its kinds (so `kubectl explain` works). Built once per built-in group version; a custom
 * group version's is built from the cluster's CRDs on each call.
 */
export function openApiV3Document(
  gv: { group: string; version: string },
  served: ServedTypes = BUILT_IN_TYPES,
) {
  const types = served.ofGroupVersion(gv.group, gv.version);
  if (types.some((t) => t.custom)) return buildDocument(types);
  const key = gvPath(gv);
  if (!documents.has(key)) documents.set(key, buildDocument(types));
  return documents.get(key);
}

const documents = new Map<string, object | undefined>();
const hashes = new Map<string, string>();

const hashOf = (doc: unknown) =>
  createHash("sha512").update(JSON.stringify(doc)).digest("hex").slice(0, 32).toUpperCase();

/** The OpenAPI v3 index; URLs carry the cluster prefix because the cluster's server URL has a path. */
export function openApiV3Index(prefix: string, served: ServedTypes = BUILT_IN_TYPES) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of served.groupVersions()) {
    const key = gvPath(gv);
    const custom = served.ofGroupVersion(gv.group, gv.version).some((t) => t.custom);
    const hash = custom
      ? hashOf(openApiV3Document(gv, served))
      : (hashes.get(key) ?? hashOf(openApiV3Document(gv)));
    if (!custom) hashes.set(key, hash);
    paths[key] = { serverRelativeURL: `${prefix}/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

export function parseGvPath(segments: string[]): { group: string; version: string } | undefined {
  if (segments[0] === "api" && segments[1] === "v1" && segments.length === 2)
    return { group: "", version: "v1" };
  if (segments[0] === "apis" && segments.length === 3)
    return { group: segments[1] ?? "", version: segments[2] ?? "" };
  return undefined;
}

/** `x-kubernetes-group-version-kind` as a gnostic NamedAny holding YAML. */
function gvkExtension(t: ResourceType): Field {
  const yaml = `group: ${JSON.stringify(t.group)}\nkind: ${t.kind}\nversion: ${t.version}\n`;
  return [
    13,
    [
      [1, "x-kubernetes-group-version-kind"],
      [2, [[2, yaml]]],
    ],
  ];
}

/** An Operation: operationId, the fieldValidation query parameter where it applies, and the GVK. */
function operationV2(t: ResourceType, action: string): Field[] {
  const fields: Field[] = [[5, `${action}${t.kind}`]];
  if (action === "patch" || action === "post" || action === "put") {
    const query: Field[] = [
      [2, "query"],
      [4, "fieldValidation"],
      [6, "string"],
    ];
    fields.push([8, [[1, [[2, [[3, query]]]]]]]);
  }
  fields.push([
    9,
    [
      [
        1,
        [
          [1, "200"],
          [2, [[1, [[1, "OK"]]]]],
        ],
      ],
    ],
  ]);
  fields.push(gvkExtension(t));
  return fields;
}

/**
 * The OpenAPI v2 document as gnostic's protobuf (what kubectl 1.27 and 1.28 download before `apply`):
 * paths and operations with their GVKs and the fieldValidation parameter, no schemas.
 */
export function openApiV2Protobuf(served: ServedTypes = BUILT_IN_TYPES): Uint8Array {
  const paths: Field[] = [];
  for (const t of served.all) {
    const base = `/${gvPath(t)}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.resource}`;
    const writable = t.verbs.includes("create");
    const collection: Field[] = [[2, operationV2(t, "list")]];
    if (writable) collection.push([4, operationV2(t, "post")]);
    const item: Field[] = [[2, operationV2(t, "get")]];
    if (writable)
      item.push([3, operationV2(t, "put")], [5, operationV2(t, "delete")], [8, operationV2(t, "patch")]);
    paths.push(
      [
        2,
        [
          [1, base],
          [2, collection],
        ],
      ],
      [
        2,
        [
          [1, `${base}/{name}`],
          [2, item],
        ],
      ],
    );
  }
  return encodeMessage([
    [1, "2.0"],
    [
      2,
      [
        [1, "Kubernetes"],
        [2, KUBE_VERSION.gitVersion],
      ],
    ],
    [8, paths],
  ]);
}
