import { createHmac } from "node:crypto";
import { safeEqual } from "../tokens";
import { type AgentRequest, agentUrl, parseAgentPath } from "./requests";

/**
 * What the API may ask of a node agent, and the proof that it did: the API authorizes a student's request,
 * then signs a ticket for exactly that request — one pod of one cluster, one container (or port), one
 * verb, for a minute. The agent holds no secret of its own in the database; it checks the ticket against
 * the path it is asked for, so whoever reads the database, or replays a ticket elsewhere, gets nothing.
 */

/** How long a ticket is good for: time to open the connection, not to use it. */
export const AGENT_TICKET_SECONDS = 60;

/** The key tickets are signed with, derived from the platform's token secret under its own label. */
export function agentTicketKey(tokenSecret: string): string {
  return createHmac("sha256", tokenSecret).update("timonier agent tickets").digest("base64url");
}

interface Claims extends AgentRequest {
  /** Expiry, in seconds since the epoch. */
  exp: number;
}

const sign = (key: string, data: string) => createHmac("sha256", key).update(data).digest("base64url");

/** A ticket for `request`, good until `seconds` after `now`. */
export function issueAgentTicket(
  key: string,
  request: AgentRequest,
  now: Date,
  seconds = AGENT_TICKET_SECONDS,
): string {
  const claims: Claims = {
    cluster: request.cluster,
    pod: request.pod,
    verb: request.verb,
    target: request.target,
    exp: Math.floor(now.getTime() / 1000) + seconds,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${payload}.${sign(key, payload)}`;
}

/** The header that carries a ticket to the agent. */
export function agentAuthorization(ticket: string): { authorization: string } {
  return { authorization: `Bearer ${ticket}` };
}

/**
 * The one way the API addresses a node agent: the URL built from validated, encoded parts only (a part
 * that is not a cluster id, pod uid, container name or port throws), with a ticket signed for exactly
 * that request, which the agent checks against the path it serves.
 */
export function signedAgentRequest(
  key: string,
  base: string,
  request: AgentRequest,
  now: Date,
  query?: URLSearchParams,
): { url: URL; headers: { authorization: string } } {
  const url = agentUrl(base, request, query);
  return { url, headers: agentAuthorization(issueAgentTicket(key, request, now)) };
}

/** The outcome of checking a ticket: 401 when it proves nothing, 403 when it is for another request. */
export type TicketCheck = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** Whether `ticket` was signed with `key`, is still good at `now`, and is for exactly `request`. */
export function verifyAgentTicket(
  key: string,
  ticket: string,
  request: AgentRequest,
  now: Date,
): TicketCheck {
  const [payload, signature, ...rest] = ticket.split(".");
  if (!payload || !signature || rest.length) return { ok: false, status: 401, reason: "malformed ticket" };
  if (!safeEqual(signature, sign(key, payload))) return { ok: false, status: 401, reason: "bad signature" };
  let claims: Partial<Claims>;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Partial<Claims>;
  } catch {
    return { ok: false, status: 401, reason: "malformed ticket" };
  }
  if (typeof claims.exp !== "number" || claims.exp <= now.getTime() / 1000)
    return { ok: false, status: 401, reason: "expired ticket" };
  const same =
    claims.cluster === request.cluster &&
    claims.pod === request.pod &&
    claims.verb === request.verb &&
    claims.target === request.target;
  return same ? { ok: true } : { ok: false, status: 403, reason: "the ticket is for another request" };
}

/** What an agent makes of a request: the request its path names and its ticket covers, or why not. */
export type AgentAuthorization =
  | { ok: true; request: AgentRequest }
  | { ok: false; status: 401 | 403 | 404; reason: string };

/**
 * The agent's whole check: a path it serves (404 otherwise), a bearer ticket (401 when missing, forged or
 * expired), for exactly that path's cluster, pod, container or port, and verb (403 otherwise).
 */
export function authorizeAgentRequest(
  key: string,
  authorization: string | undefined,
  pathname: string,
  now: Date,
): AgentAuthorization {
  const ticket = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
  if (!ticket) return { ok: false, status: 401, reason: "a ticket is required" };
  const request = parseAgentPath(pathname);
  if (!request) return { ok: false, status: 404, reason: "not found" };
  const check = verifyAgentTicket(key, ticket, request, now);
  return check.ok ? { ok: true, request } : check;
}
