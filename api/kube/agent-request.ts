import { type AgentRequest, agentTicketKey, signedAgentRequest } from "../../core/agent-protocol";
import type { ApiDeps } from "../env";

/** A request to the node agent at `agentUrl`, signed with the platform's key (`signedAgentRequest`). */
export function agentRequest(
  deps: Pick<ApiDeps, "config" | "now">,
  agentUrl: string,
  request: AgentRequest,
  query?: URLSearchParams,
): { url: URL; headers: { authorization: string } } {
  return signedAgentRequest(agentTicketKey(deps.config.tokenSecret), agentUrl, request, deps.now(), query);
}
