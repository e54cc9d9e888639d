import { Hono } from "hono";
import { CRD_GROUP, CRD_RESOURCE } from "../../core/k8s/crd/types";
import { kubeErrors } from "../../core/k8s/errors";
import type { AppEnv } from "../env";
import { accessReview } from "./access-reviews";
import { recordActivity } from "./activity";
import { clusterAuth } from "./auth";
import { authorizeRequest } from "./authorization";
import {
  aggregatedContentType,
  aggregatedDiscovery,
  aggregatedVersion,
  apiGroupList,
  apiResourceList,
  coreVersions,
  versionInfo,
} from "./discovery";
import {
  createObject,
  deleteCollection,
  deleteObject,
  getObject,
  listObjects,
  patchObject,
  scaleObject,
  updateObject,
} from "./handlers";
import { podLogs } from "./logs";
import { openApiV2Protobuf, openApiV3Document, openApiV3Index, parseGvPath } from "./openapi";
import { bindPod, evictPod } from "./pod-subresources";
import { clusterRateLimit, type RateLimit } from "./rate-limit";
import { parseResourcePath, type RequestInfo } from "./request-info";
import { createToken } from "./service-account-token";

/** Routes one resource request; a write to a CRD changes what the cluster serves, here at once. */
async function dispatch(c: Parameters<typeof getObject>[0], info: RequestInfo) {
  const crd = info.type.group === CRD_GROUP && info.type.resource === CRD_RESOURCE && c.req.method !== "GET";
  try {
    return await dispatchVerb(c, info);
  } finally {
    if (crd) c.var.deps.servedTypes.invalidate(c.var.cluster.id);
  }
}

/** Routes one resource request by verb, as kube-apiserver's handler chain does. */
async function dispatchVerb(c: Parameters<typeof getObject>[0], info: RequestInfo) {
  const method = c.req.method;
  if (info.type.group === "authorization.k8s.io" || info.type.group === "authentication.k8s.io")
    return accessReview(c, info);
  await authorizeRequest(c, info);
  if (info.subresource === "log") {
    if (method !== "GET") throw kubeErrors.methodNotAllowed();
    return podLogs(c, info);
  }
  if (info.subresource === "exec" || info.subresource === "attach") {
    throw kubeErrors.badRequest("Upgrade request required");
  }
  if (info.subresource === "scale") return scaleObject(c, info);
  if (info.subresource === "token") {
    if (method !== "POST" || info.type.kind !== "ServiceAccount") throw kubeErrors.methodNotAllowed();
    return createToken(c, info);
  }
  if (info.subresource === "binding" || info.subresource === "eviction") {
    if (method !== "POST" || info.type.kind !== "Pod") throw kubeErrors.methodNotAllowed();
    return info.subresource === "binding" ? bindPod(c, info) : evictPod(c, info);
  }
  const writable = info.subresource === "status" || info.subresource === "ephemeralcontainers";
  if (info.subresource && !writable) throw kubeErrors.methodNotAllowed();
  if (!info.name) {
    if (method === "GET") return listObjects(c, info);
    if (method === "POST") return createObject(c, info);
    if (method === "DELETE") return deleteCollection(c, info);
    throw kubeErrors.methodNotAllowed();
  }
  if (method === "GET") return getObject(c, info);
  if (method === "PUT") return updateObject(c, info);
  if (method === "PATCH") return patchObject(c, info);
  if (method === "DELETE" && !info.subresource) return deleteObject(c, info);
  throw kubeErrors.methodNotAllowed();
}

/** Path segments after `/clusters/{id}/api/v1/` or `/clusters/{id}/apis/{group}/{version}/`. */
function resourceSegments(path: string, skip: number): string[] {
  return path.split("/").filter(Boolean).slice(skip).map(decodeURIComponent);
}

/** The Kubernetes API of one virtual cluster, mounted under `/clusters/:cluster`. */
export function kubeApp(rateLimit: RateLimit) {
  const app = new Hono<AppEnv>();
  app.use("*", clusterAuth());
  app.use("*", clusterRateLimit(rateLimit));
  app.use("*", recordActivity());
  app.use("*", async function servedTypes(c, next) {
    c.set("types", await c.var.deps.servedTypes.of(c.var.cluster.id));
    await next();
  });
  app.get("/version", (c) => c.json(versionInfo()));
  for (const probe of ["/livez", "/readyz", "/healthz"]) app.get(probe, (c) => c.text("ok"));
  app.get("/api", (c) => {
    const aggregated = aggregatedVersion(c.req.header("accept"));
    if (!aggregated) return c.json(coreVersions(new URL(c.req.url).host));
    return c.body(JSON.stringify(aggregatedDiscovery(aggregated, true, c.var.types)), 200, {
      "content-type": aggregatedContentType(aggregated),
    });
  });
  app.get("/apis", (c) => {
    const aggregated = aggregatedVersion(c.req.header("accept"));
    if (!aggregated) return c.json(apiGroupList(c.var.types));
    return c.body(JSON.stringify(aggregatedDiscovery(aggregated, false, c.var.types)), 200, {
      "content-type": aggregatedContentType(aggregated),
    });
  });
  app.get("/api/v1", (c) => c.json(apiResourceList("", "v1")));
  app.get("/apis/:group/:version", (c) => {
    const list = apiResourceList(c.req.param("group"), c.req.param("version"), c.var.types);
    if (!list) throw kubeErrors.unknownResource();
    return c.json(list);
  });
  app.get("/openapi/v2", (c) =>
    c.body(openApiV2Protobuf(c.var.types).buffer as ArrayBuffer, 200, {
      "content-type": "application/octet-stream",
    }),
  );
  app.get("/openapi/v3", (c) => c.json(openApiV3Index(`/clusters/${c.req.param("cluster")}`, c.var.types)));
  app.get("/openapi/v3/*", (c) => {
    const gv = parseGvPath(resourceSegments(c.req.path, 4));
    const doc = gv && openApiV3Document(gv, c.var.types);
    if (!doc) throw kubeErrors.unknownResource();
    return c.json(doc);
  });
  app.all("/api/v1/*", (c) =>
    dispatch(c, parseResourcePath("", "v1", resourceSegments(c.req.path, 4), c.var.types)),
  );
  app.all("/apis/:group/:version/*", (c) =>
    dispatch(
      c,
      parseResourcePath(
        c.req.param("group"),
        c.req.param("version"),
        resourceSegments(c.req.path, 5),
        c.var.types,
      ),
    ),
  );
  app.all("*", () => {
    throw kubeErrors.unknownResource();
  });
  return app;
}
