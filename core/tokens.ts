import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Cluster tokens are derived, not stored: HMAC(secret, cluster id, generation) — so the kubeconfig can be
 * handed out again, while the database only keeps the token's sha256 for lookup. Rotating a kubeconfig
 * bumps the cluster's generation, which makes a new token and leaves the old one matching no row.
 * Generation 0 is derived as tokens were before generations existed, so those kubeconfigs keep working.
 */
export function clusterToken(secret: string, clusterId: string, generation = 0): string {
  const input = generation === 0 ? `cluster:${clusterId}` : `cluster:${clusterId}:${generation}`;
  const mac = createHmac("sha256", secret).update(input).digest("base64url");
  return `${CLUSTER_TOKEN_PREFIX}${mac}`;
}

export const CLUSTER_TOKEN_PREFIX = "tmn_";
export const TEACHER_TOKEN_PREFIX = "tmt_";

/**
 * A new teacher token: 32 random bytes. Unlike cluster tokens it is not derived from anything, so it can
 * only be shown once; the tenant keeps its sha256.
 */
export function teacherToken(): string {
  return `${TEACHER_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The secret behind cluster tokens: its own setting when given, else derived from the admin token. */
export function tokenSecret(adminToken: string, explicit?: string): string {
  return explicit ?? createHmac("sha256", adminToken).update("timonier cluster tokens").digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
