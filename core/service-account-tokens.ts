import { createHmac } from "node:crypto";
import { safeEqual } from "./tokens";

/** What a ServiceAccount token says, as Kubernetes' own tokens say it (plus the cluster it belongs to). */
export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  iat: number;
  nbf: number;
  exp: number;
  "kubernetes.io": {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    /** The object the token is bound to: it stops authenticating when that object is gone. */
    pod?: BoundObject;
    secret?: BoundObject;
  };
  "timonier.io/cluster": string;
}

export interface BoundObject {
  name: string;
  uid: string;
}

export const TOKEN_ISSUER = "https://kubernetes.default.svc.cluster.local";

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const sign = (secret: string, data: string) =>
  createHmac("sha256", `${secret}:service-account-tokens`).update(data).digest("base64url");

/**
 * A signed JWT (HS256) for a ServiceAccount of a cluster, valid from `now` for `seconds`, and only while the
 * pod or secret it is bound to (if any) exists.
 */
export function issueServiceAccountToken(
  secret: string,
  subject: {
    clusterId: string;
    namespace: string;
    name: string;
    uid: string;
    boundTo?: { kind: "pod" | "secret" } & BoundObject;
  },
  options: { now: Date; seconds: number; audiences: string[] },
): { token: string; expires: Date } {
  const iat = Math.floor(options.now.getTime() / 1000);
  const claims: ServiceAccountClaims = {
    iss: TOKEN_ISSUER,
    sub: `system:serviceaccount:${subject.namespace}:${subject.name}`,
    aud: options.audiences,
    iat,
    nbf: iat,
    exp: iat + options.seconds,
    "kubernetes.io": {
      namespace: subject.namespace,
      serviceaccount: { name: subject.name, uid: subject.uid },
      ...(subject.boundTo
        ? { [subject.boundTo.kind]: { name: subject.boundTo.name, uid: subject.boundTo.uid } }
        : {}),
    },
    "timonier.io/cluster": subject.clusterId,
  };
  const data = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}`;
  return { token: `${data}.${sign(secret, data)}`, expires: new Date(claims.exp * 1000) };
}

/** The claims of a token this platform signed and that has not expired; undefined for anything else. */
export function verifyServiceAccountToken(
  secret: string,
  token: string,
  now: Date,
): ServiceAccountClaims | undefined {
  const [header, payload, signature, ...rest] = token.split(".");
  if (!header || !payload || !signature || rest.length) return undefined;
  if (!safeEqual(signature, sign(secret, `${header}.${payload}`))) return undefined;
  let claims: ServiceAccountClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const at = now.getTime() / 1000;
  return claims.nbf <= at && at < claims.exp ? claims : undefined;
}

/** Whether a bearer token is shaped like a JWT rather than a cluster or admin token. */
export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
