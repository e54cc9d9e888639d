import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Cluster tokens are derived, not stored: HMAC(secret, cluster id) — so the kubeconfig can be handed out
 * again, while the database only keeps the token's sha256 for lookup.
 */
export function clusterToken(secret: string, clusterId: string): string {
  const mac = createHmac("sha256", secret).update(`cluster:${clusterId}`).digest("base64url");
  return `tmn_${mac}`;
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
