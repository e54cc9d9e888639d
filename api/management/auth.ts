import type { MiddlewareHandler } from "hono";
import { safeEqual } from "../../core/tokens";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return m?.[1]?.trim();
}

/** Only the platform admin token may use the management API. */
export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async function adminAuth(c, next) {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) throw new ApiError(401, "unauthorized", "missing bearer token");
    if (!safeEqual(token, c.var.deps.config.adminToken))
      throw new ApiError(403, "forbidden", "invalid admin token");
    c.set("principal", { kind: "admin" });
    await next();
  };
}
