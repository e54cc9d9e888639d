import { dns1123Label } from "../k8s/validation/names";
import { isUuid } from "../uuid";

/**
 * What the API may ask of a node agent, and where the agent serves it:
 *
 *   GET       /pods/{cluster}/{pod}/containers/{container}/logs    the container's log, as text
 *   WebSocket /pods/{cluster}/{pod}/containers/{container}/exec    remotecommand (remotecommand.ts)
 *   WebSocket /pods/{cluster}/{pod}/containers/{container}/attach  remotecommand
 *   WebSocket /pods/{cluster}/{pod}/portforward/{port}             one forwarded connection (port-forward.ts)
 *
 * Each request carries a ticket for exactly its cluster, pod, container or port, and verb (tickets.ts).
 * A refusal is a plain-text body, which the API shows the student.
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

const PORT = /^[1-9]\d{0,4}$/;

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

/** The `pods/log` parameters the API passes on to the agent, each with the first value the client sent. */
export const LOG_PARAMS = [
  "follow",
  "tailLines",
  "previous",
  "timestamps",
  "sinceSeconds",
  "sinceTime",
  "limitBytes",
] as const;

/** The `pods/exec` and `attach` parameters the API passes on, with every value (`command` repeats). */
export const STREAM_PARAMS = ["command", "stdin", "stdout", "stderr", "tty"] as const;

/**
 * The query of the agent's URL for a request of `verb`: the client's own values (`values(key)`, undefined
 * or empty when it sent none) for the parameters the verb takes, and nothing else.
 */
export function agentQuery(
  verb: AgentVerb,
  values: (key: string) => readonly string[] | undefined,
): URLSearchParams {
  const query = new URLSearchParams();
  if (verb === "logs") {
    for (const key of LOG_PARAMS) {
      const value = values(key)?.[0];
      if (value !== undefined) query.set(key, value);
    }
  } else if (verb !== "portforward") {
    for (const key of STREAM_PARAMS) for (const value of values(key) ?? []) query.append(key, value);
  }
  return query;
}

/**
 * The agent's URL for a request, below the agent's base URL (`http://host:port`, as its node row holds
 * it): logs over HTTP, the streaming verbs over WebSocket. Throws as `agentPath` does.
 */
export function agentUrl(base: string, request: AgentRequest, query?: URLSearchParams): URL {
  const root = base.replace(/\/+$/, "");
  const url = new URL(`${request.verb === "logs" ? root : root.replace(/^http/, "ws")}${agentPath(request)}`);
  for (const [key, value] of query ?? []) url.searchParams.append(key, value);
  return url;
}

/** What the agent reads of a logs request's query; a number that is not one stays NaN for the runtime. */
export interface AgentLogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
}

export function parseLogQuery(query: URLSearchParams): AgentLogQuery {
  const flag = (key: string) => query.get(key) === "true";
  const options: AgentLogQuery = {
    follow: flag("follow"),
    previous: flag("previous"),
    timestamps: flag("timestamps"),
  };
  for (const key of ["tailLines", "sinceSeconds", "limitBytes"] as const) {
    const value = query.get(key);
    if (value !== null && value !== "") options[key] = Number(value);
  }
  return options;
}

/** What the agent reads of an exec or attach request's query: it always streams stdout and stderr. */
export interface AgentStreamQuery {
  command: string[];
  stdin: boolean;
  tty: boolean;
}

export function parseStreamQuery(query: URLSearchParams): AgentStreamQuery {
  return {
    command: query.getAll("command"),
    stdin: query.get("stdin") === "true",
    tty: query.get("tty") === "true",
  };
}
