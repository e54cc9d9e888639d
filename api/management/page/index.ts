import { randomBytes } from "node:crypto";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { hashToken, safeEqual } from "../../../core/tokens";
import type { TenantWithCount } from "../../../db/tenants";
import type { AppEnv, Principal } from "../../env";
import { bearerToken, principalOf } from "../auth";
import { ApiError } from "../errors";
import { scopedTenant } from "../scope";
import { classCheckResults, classOverview } from "../tenants/class-state";
import { contentSecurityPolicy, pagePath, renderBoard, renderLogin, renderPage } from "./render";
import { SESSION_COOKIE, SESSION_SECONDS, sessionTokenHash, sessionValue } from "./session";

type Ctx = Context<AppEnv>;

/** Headers of every answer of the page: its own CSP, nothing cached, sniffed, framed or referred. */
function pageHeaders(nonce: string): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": contentSecurityPolicy(nonce),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  };
}

const newNonce = () => randomBytes(16).toString("base64");

function isHttps(c: Ctx): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}

/**
 * Whether a form post comes from the page itself: a browser says where it posts from (Sec-Fetch-Site, or
 * Origin), and a post from another site is refused. A client that says neither is no browser: no cookie of
 * a teacher's rides along with it.
 */
function sameOrigin(c: Ctx): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = c.req.header("origin");
  if (!origin) return true;
  const origins = [new URL(c.req.url).origin, new URL(c.var.deps.config.publicUrl).origin];
  return origins.includes(origin);
}

/** The teacher (or admin) of a signed-in page's cookie: 401 when it is absent, forged, expired or revoked. */
async function principalOfSession(c: Ctx, name: string): Promise<Principal> {
  const deps = c.var.deps;
  const tokenHash = sessionTokenHash(deps.config.tokenSecret, name, getCookie(c, SESSION_COOKIE), deps.now());
  if (!tokenHash) throw new ApiError(401, "unauthorized", "sign in with the class's teacher token");
  if (safeEqual(tokenHash, hashToken(deps.config.adminToken))) return { kind: "admin" };
  const tenant = await deps.tenants.byTokenHash(tokenHash);
  if (!tenant) throw new ApiError(401, "unauthorized", "this sign-in's token was rotated or revoked");
  return { kind: "teacher", tenantId: tenant.id, tenant: tenant.name };
}

/** The class, for a bearer token (as the JSON API takes it) or the page's cookie. */
async function viewedClass(c: Ctx): Promise<TenantWithCount> {
  const deps = c.var.deps;
  const name = c.req.param("name") ?? "";
  const bearer = bearerToken(c.req.header("authorization"));
  const principal = bearer ? await principalOf(deps, bearer) : await principalOfSession(c, name);
  return scopedTenant(deps, principal, name);
}

/** What a refused request sees: the sign-in form again, with why, and never any of the class's data. */
function refusal(c: Ctx, err: unknown): Response {
  if (!(err instanceof ApiError) || ![401, 403, 404].includes(err.status)) throw err;
  const name = c.req.param("name") ?? "";
  const why =
    err.status === 401
      ? c.req.method === "POST"
        ? "Enter the class's teacher token."
        : undefined
      : err.status === 404
        ? `There is no class ${name}.`
        : `This token does not open class ${name}.`;
  const nonce = newNonce();
  if (err.status === 401) deleteCookie(c, SESSION_COOKIE, { path: pagePath(name) });
  return c.body(
    renderLogin({ tenant: name, nonce, ...(why ? { refused: why } : {}) }).toString(),
    err.status as ContentfulStatusCode,
    pageHeaders(nonce),
  );
}

async function board(c: Ctx, tenant: TenantWithCount) {
  const deps = c.var.deps;
  const [overview, checks] = await Promise.all([
    classOverview(deps, tenant),
    classCheckResults(deps, tenant),
  ]);
  return renderBoard(overview, checks, deps.now());
}

/**
 * The teacher's class page (`/v1/tenants/{name}/page`): server-rendered HTML, live. Outside the JSON API's
 * bearer middleware, since a browser cannot send a bearer header when it opens a page: the teacher signs in
 * once with the token in a POST, and the answer is a cookie for this class's page alone (api/management/
 * page/session.ts). A bearer header works too, for the page and its board.
 */
export const pageApp = new Hono<AppEnv>()
  .get("/tenants/:name/page", async (c) => {
    try {
      const tenant = await viewedClass(c);
      const nonce = newNonce();
      const page = renderPage({ tenant: tenant.name, nonce, board: await board(c, tenant) });
      return c.body(page.toString(), 200, pageHeaders(nonce));
    } catch (err) {
      return refusal(c, err);
    }
  })
  .get("/tenants/:name/page/board", async (c) => {
    try {
      const tenant = await viewedClass(c);
      return c.body((await board(c, tenant)).toString(), 200, pageHeaders(newNonce()));
    } catch (err) {
      return refusal(c, err);
    }
  })
  .post("/tenants/:name/page/login", async (c) => {
    const name = c.req.param("name");
    if (!sameOrigin(c)) return refusal(c, new ApiError(403, "forbidden", "posted from another site"));
    try {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const token = typeof form.token === "string" ? form.token.trim() : "";
      const deps = c.var.deps;
      const tenant = await scopedTenant(deps, await principalOf(deps, token || undefined), name);
      setCookie(
        c,
        SESSION_COOKIE,
        sessionValue(deps.config.tokenSecret, tenant.name, hashToken(token), deps.now()),
        {
          path: pagePath(tenant.name),
          httpOnly: true,
          sameSite: "Strict",
          secure: isHttps(c),
          maxAge: SESSION_SECONDS,
        },
      );
      c.header("cache-control", "no-store");
      return c.redirect(pagePath(tenant.name), 303);
    } catch (err) {
      return refusal(c, err);
    }
  })
  .post("/tenants/:name/page/logout", async (c) => {
    const name = c.req.param("name");
    if (!sameOrigin(c)) return refusal(c, new ApiError(403, "forbidden", "posted from another site"));
    deleteCookie(c, SESSION_COOKIE, { path: pagePath(name) });
    return c.redirect(pagePath(name), 303);
  });
