import { createHmac } from "node:crypto";
import { safeEqual } from "../../../core/tokens";

/** The class page's cookie: HttpOnly, SameSite=Strict, and sent back only under that class's page path. */
export const SESSION_COOKIE = "timonier_class";
/** How long a sign-in lasts: a school day. */
export const SESSION_SECONDS = 12 * 3600;

function mac(secret: string, tenant: string, tokenHash: string, expires: number): string {
  return createHmac("sha256", secret)
    .update(`timonier class page\0${tenant}\0${tokenHash}\0${expires}`)
    .digest("base64url");
}

/**
 * What the cookie holds once a teacher signs in: not the token, but its sha256 (what the database keeps to
 * look it up), an expiry, and the platform's HMAC over both and the class's name. It opens that class's page
 * and nothing else: the JSON API wants the token itself, and a rotated or revoked token's hash matches no
 * class any more.
 */
export function sessionValue(secret: string, tenant: string, tokenHash: string, now: Date): string {
  const expires = Math.floor(now.getTime() / 1000) + SESSION_SECONDS;
  return `${tokenHash}.${expires}.${mac(secret, tenant, tokenHash, expires)}`;
}

/** The token hash a cookie carries, if the platform made it for this class and it has not expired. */
export function sessionTokenHash(
  secret: string,
  tenant: string,
  value: string | undefined,
  now: Date,
): string | undefined {
  const m = /^([0-9a-f]{64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!m) return undefined;
  const [, tokenHash = "", expiresText = "", given = ""] = m;
  const expires = Number(expiresText);
  if (!safeEqual(given, mac(secret, tenant, tokenHash, expires))) return undefined;
  if (expires * 1000 <= now.getTime()) return undefined;
  return tokenHash;
}
