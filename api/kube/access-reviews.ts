import type { Context } from "hono";
import { kubeErrors } from "../../core/k8s/errors";
import { authorize, rulesFor } from "../../core/k8s/rbac/authorize";
import type { Attributes, UserInfo } from "../../core/k8s/rbac/types";
import { fieldErrors, invalidError } from "../../core/k8s/validation/field-errors";
import type { AppEnv } from "../env";
import { authorizeRequest, clusterPolicy, requestUser } from "./authorization";
import type { RequestInfo } from "./request-info";
import { reviewSpecFromProtobuf } from "./review-protobuf";

interface ReviewSpec {
  resourceAttributes?: {
    namespace?: string;
    verb?: string;
    group?: string;
    resource?: string;
    subresource?: string;
    name?: string;
  };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  namespace?: string;
}

function attributesOf(spec: ReviewSpec, namespace?: string): Attributes {
  const r = spec.resourceAttributes;
  if (r)
    return {
      verb: r.verb ?? "",
      apiGroup: r.group ?? "",
      resource: r.resource ?? "",
      ...(r.subresource ? { subresource: r.subresource } : {}),
      ...((namespace ?? r.namespace) ? { namespace: namespace ?? r.namespace } : {}),
      ...(r.name ? { name: r.name } : {}),
    };
  return {
    verb: spec.nonResourceAttributes?.verb ?? "",
    apiGroup: "",
    resource: "",
    path: spec.nonResourceAttributes?.path ?? "",
  };
}

/**
 * The access review kinds (`kubectl auth can-i`, `kubectl auth can-i --list`, `kubectl auth whoami`): each is
 * created and answered at once, never stored.
 */
export async function accessReview(c: Context<AppEnv>, info: RequestInfo) {
  if (c.req.method !== "POST" || info.name) throw kubeErrors.methodNotAllowed();
  const protobuf = c.req.header("content-type")?.startsWith("application/vnd.kubernetes.protobuf");
  const body = (
    protobuf
      ? { spec: reviewSpecFromProtobuf(Buffer.from(await c.req.arrayBuffer()), info.type.kind) }
      : await c.req.json().catch(() => undefined)
  ) as { spec?: ReviewSpec } | undefined;
  if (!body || typeof body !== "object")
    throw kubeErrors.badRequest("the request body must be a review object");
  const spec = body.spec ?? {};
  const self = requestUser(c).user;
  const kind = info.type.kind;
  const review = (status: Record<string, unknown>) =>
    c.json(
      {
        apiVersion: `${info.type.group}/${info.type.version}`,
        kind,
        metadata: { creationTimestamp: null },
        spec,
        status,
      },
      201,
    );
  if (kind === "SelfSubjectReview") return review({ userInfo: self });
  const policy = await clusterPolicy(c.var.deps, c.var.cluster.id);
  if (kind === "SelfSubjectRulesReview") {
    const rules = rulesFor(policy, self, spec.namespace);
    const admin = self.groups.includes("system:masters");
    return review({
      resourceRules: admin
        ? [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }]
        : rules.filter((r) => r.resources).map(({ nonResourceURLs: _, ...r }) => r),
      nonResourceRules: admin
        ? [{ verbs: ["*"], nonResourceURLs: ["*"] }]
        : rules
            .filter((r) => r.nonResourceURLs)
            .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
      incomplete: false,
    });
  }
  let subject: UserInfo = self;
  if (kind === "SubjectAccessReview" || kind === "LocalSubjectAccessReview") {
    await authorizeRequest(c, info);
    if (!spec.user && !spec.groups?.length)
      throw invalidError(
        kind,
        "",
        [fieldErrors.invalid("spec.user,spec.groups", "", "at least one of user or group must be specified")],
        "authorization.k8s.io",
      );
    subject = { username: spec.user ?? "", groups: spec.groups ?? [] };
  }
  const attributes = attributesOf(spec, kind === "LocalSubjectAccessReview" ? info.namespace : undefined);
  const allowed = authorize(policy, subject, attributes);
  return review(
    allowed ? { allowed: true, reason: "RBAC: allowed by the cluster's bindings" } : { allowed: false },
  );
}
