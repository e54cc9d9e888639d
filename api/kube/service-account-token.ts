import type { Context } from "hono";
import { kubeErrors } from "../../core/k8s/errors";
import { rfc3339 } from "../../core/k8s/time";
import { fieldErrors, invalidError } from "../../core/k8s/validation/field-errors";
import { issueServiceAccountToken, TOKEN_ISSUER } from "../../core/service-account-tokens";
import type { AppEnv } from "../env";
import { decodeObject } from "./body";
import { objectKey } from "./handlers";
import type { RequestInfo } from "./request-info";

const DEFAULT_SECONDS = 3600;
const MIN_SECONDS = 600;
/** The longest token we hand out: a school day and a night. */
const MAX_SECONDS = 48 * 3600;

interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: BoundObjectReference | null;
}

const BINDABLE: Record<string, "pod" | "secret"> = { Pod: "pod", Secret: "secret" };

/** The pod or secret a requested token is bound to, as stored (its uid checked against the request's). */
async function bindingOf(c: Context<AppEnv>, info: RequestInfo, ref: BoundObjectReference) {
  const kind = BINDABLE[ref.kind ?? ""];
  if (!kind || (ref.apiVersion ?? "v1") !== "v1")
    throw kubeErrors.badRequest(`cannot bind token for object of kind ${ref.kind ?? ""}`);
  const name = ref.name ?? "";
  const { deps, cluster } = c.var;
  const resource = `${kind}s`;
  const object = await deps.store.get({
    clusterId: cluster.id,
    group: "",
    resource,
    namespace: info.namespace ?? "",
    name,
  });
  if (!object) throw kubeErrors.notFound(resource, "", name);
  const uid = object.metadata.uid ?? "";
  if (ref.uid && ref.uid !== uid)
    throw kubeErrors.conflict(
      ref.kind ?? "",
      "",
      name,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  return { kind, name, uid, reference: { kind: ref.kind, apiVersion: "v1", name, uid } };
}

/**
 * `serviceaccounts/token` (TokenRequest, `kubectl create token`): a signed token for the account, which
 * the cluster's API then authenticates as `system:serviceaccount:<namespace>:<name>` and authorizes by RBAC.
 */
export async function createToken(c: Context<AppEnv>, info: RequestInfo) {
  const { deps, cluster } = c.var;
  const name = info.name as string;
  const account = await deps.store.get(objectKey(cluster.id, info, name));
  if (!account) throw kubeErrors.notFound("serviceaccounts", "", name);
  const request = decodeObject(await c.req.text(), c.req.header("content-type")) as {
    spec?: TokenRequestSpec;
  };
  const spec = request.spec ?? {};
  const seconds = spec.expirationSeconds ?? DEFAULT_SECONDS;
  if (seconds < MIN_SECONDS)
    throw invalidError(
      "TokenRequest",
      name,
      [
        fieldErrors.invalid(
          "spec.expirationSeconds",
          seconds,
          "may not specify a duration less than 10 minutes",
        ),
      ],
      "authentication.k8s.io",
    );
  const granted = Math.min(seconds, MAX_SECONDS);
  const audiences = spec.audiences?.length ? spec.audiences : [TOKEN_ISSUER];
  const bound = spec.boundObjectRef ? await bindingOf(c, info, spec.boundObjectRef) : undefined;
  const now = deps.now();
  const { token, expires } = issueServiceAccountToken(
    deps.config.tokenSecret,
    {
      clusterId: cluster.id,
      namespace: info.namespace ?? "",
      name,
      uid: account.metadata.uid ?? "",
      ...(bound ? { boundTo: { kind: bound.kind, name: bound.name, uid: bound.uid } } : {}),
    },
    { now, seconds: granted, audiences },
  );
  return c.json(
    {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name, namespace: info.namespace, creationTimestamp: rfc3339(now) },
      spec: { audiences, expirationSeconds: granted, boundObjectRef: bound?.reference ?? null },
      status: { token, expirationTimestamp: rfc3339(expires) },
    },
    201,
  );
}
