import { createHmac } from "node:crypto";
import { dns1123Label } from "./k8s/validation/names";
import { safeEqual } from "./tokens";
import { isUuid } from "./uuid";

/**
 * What the API may ask of a node agent, and the proof that it did: the API authorizes a student's request,
 * then signs a ticket for exactly that request — one pod of one cluster, one container (or port), one
 * verb, for a minute. The agent holds no secret of its own in the database; it checks the ticket against
 * the path it is asked for, so whoever reads the database, or replays a ticket elsewhere, gets nothing.
 */

export const AGENT_VERBS = ["exec", "attach", "logs", "portforward"] as const;
export type AgentVerb = (typeof AGENT_VERBS)[number];

/** One request to a node agent; `target` is the container name, or the port for `portforward`. */
export interface AgentRequest {
  cluster: string;
  pod: string;
  verb: AgentVerb;
  target: string;
}

/** How long a ticket is good for: time to open the connection, not to use it. */
export const AGENT_TICKET_SECONDS = 60;

const PORT = /^[1-9]\d{0,4}$/;

/** The key tickets are signed with, derived from the platform's token secret under its own label. */
export function agentTicketKey(tokenSecret: string): string {
  return createHmac("sha256", tokenSecret).update("timonier agent tickets").digest("base64url");
}

/** Why a request cannot go to an agent, or undefined when every part is what the platform could have made. */
export function agentRequestProblem(request: AgentRequest): string | undefined {
  if (!AGENT_VERBS.includes(request.verb)) return `unknown verb ${JSON.stringify(request.verb)}`;
  if (!isUuid(request.cluster)) return `invalid cluster id ${JSON.stringify(request.cluster)}`;
  if (!isUuid(request.pod)) return `invalid pod uid ${JSON.stringify(request.pod)}`;
  if (request.verb === "portforward") {
    if (!PORT.test(request.target) || Number(request.target) > 65535)
      return `invalid port ${JSON.stringify(request.target)}`;
  } else if (dns1123Label(request.target).length) {
    return `invalid container name ${JSON.stringify(request.target)}`;
  }
  return undefined;
}

/** The agent's path for a request; throws when a part is invalid, so nothing unchecked reaches a URL. */
export function agentPath(request: AgentRequest): string {
  const problem = agentRequestProblem(request);
  if (problem) throw new Error(`refusing to build an agent URL: ${problem}`);
  const pod = `/pods/${encodeURIComponent(request.cluster)}/${encodeURIComponent(request.pod)}`;
  const target = encodeURIComponent(request.target);
  return request.verb === "portforward"
    ? `${pod}/portforward/${target}`
    : `${pod}/containers/${target}/${request.verb}`;
}

/** The request an agent path names (the inverse of `agentPath`), or undefined for any other path. */
export function parseAgentPath(pathname: string): AgentRequest | undefined {
  const parts = pathname.split("/");
  let decoded: string[];
  try {
    decoded = parts.map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [empty, pods, cluster = "", pod = "", kind, target = "", verb] = decoded;
  if (empty !== "" || pods !== "pods") return undefined;
  let request: AgentRequest;
  if (kind === "portforward" && parts.length === 6) request = { cluster, pod, verb: "portforward", target };
  else if (kind === "containers" && parts.length === 7 && verb !== "portforward")
    request = { cluster, pod, verb: verb as AgentVerb, target };
  else return undefined;
  return agentRequestProblem(request) ? undefined : request;
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
