import { type AgentRequest, agentPath, agentTicketKey, issueAgentTicket } from "../../core/agent-tickets";
import type { ApiDeps } from "../env";

/**
 * The one way the API addresses a node agent: the URL is built from validated, encoded parts only (a part
 * that is not a cluster id, pod uid, container name or port throws), and carries a ticket signed for
 * exactly that request, which the agent checks against the path it serves.
 */
export function agentRequest(
  deps: Pick<ApiDeps, "config" | "now">,
  agentUrl: string,
  request: AgentRequest,
  options: { websocket?: boolean } = {},
): { url: URL; headers: { authorization: string } } {
  const base = agentUrl.replace(/\/+$/, "");
  const url = new URL(`${options.websocket ? base.replace(/^http/, "ws") : base}${agentPath(request)}`);
  const ticket = issueAgentTicket(agentTicketKey(deps.config.tokenSecret), request, deps.now());
  return { url, headers: { authorization: `Bearer ${ticket}` } };
}
