import { createHash } from "node:crypto";
import { groupVersions, RESOURCE_TYPES, type ResourceType } from "../../core/k8s/resources";
import { KUBE_VERSION } from "./discovery";

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

/** The OpenAPI v3 document of one group version: enough for kubectl to see server-side field validation. */
export function openApiV3Document(gv: { group: string; version: string }) {
  const types = RESOURCE_TYPES.filter((t) => t.group === gv.group && t.version === gv.version);
  if (types.length === 0) return undefined;
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: KUBE_VERSION.gitVersion },
    paths: Object.assign({}, ...types.map(objectPaths)),
    components: {
      schemas: Object.fromEntries(
        types.map((t) => [
          `io.k8s.api.${t.group || "core"}.${t.version}.${t.kind}`,
          {
            type: "object",
            "x-kubernetes-group-version-kind": [{ group: t.group, version: t.version, kind: t.kind }],
          },
        ]),
      ),
    },
  };
}

/** The OpenAPI v3 index; URLs carry the cluster prefix because the cluster's server URL has a path. */
export function openApiV3Index(prefix: string) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const doc = JSON.stringify(openApiV3Document(gv));
    const hash = createHash("sha512").update(doc).digest("hex").slice(0, 32).toUpperCase();
    paths[gvPath(gv)] = { serverRelativeURL: `${prefix}/openapi/v3/${gvPath(gv)}?hash=${hash}` };
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
