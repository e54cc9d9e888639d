/** What the platform sees of one registered engine's Swarm membership (`GET /info`'s `Swarm`). */
export interface EngineSwarm {
  name: string;
  /** The address other engines reach it at: its Swarm advertise address. */
  address: string;
  /** Docker's `LocalNodeState`, or `unreachable` when the engine did not answer. */
  state: "inactive" | "pending" | "active" | "error" | "locked" | "unreachable";
  nodeId?: string;
  /** Whether it is a reachable manager (`ControlAvailable`). */
  manager: boolean;
}

export type SwarmStep =
  | { kind: "init"; engine: string; address: string }
  | { kind: "leave"; engine: string }
  | { kind: "join"; engine: string; address: string };

/**
 * The steps that make the registered engines (in registration order) one Swarm, given which node ids the
 * Swarm of the reachable manager holds. Nothing on a lone engine; an engine already a member, or joining,
 * is left alone; no new Swarm while an engine is in one whose manager does not answer (it would split
 * them). The others join as workers: one manager, whose loss stops new attachments but not the overlay's
 * traffic (a second or third manager that never came up would cost the Swarm its quorum for good). Pure.
 */
export function swarmSteps(engines: EngineSwarm[], members: ReadonlySet<string>): SwarmStep[] {
  if (engines.length < 2) return [];
  const reachable = engines.filter((e) => e.state !== "unreachable");
  const manager = reachable.find((e) => e.state === "active" && e.manager);
  const steps: SwarmStep[] = [];
  if (!manager) {
    if (reachable.some((e) => e.state !== "inactive")) return [];
    const first = reachable[0];
    return first ? [{ kind: "init", engine: first.name, address: first.address }] : [];
  }
  for (const e of engines) {
    if (e === manager || e.state === "unreachable" || e.state === "pending") continue;
    if (e.state === "active" && e.nodeId && members.has(e.nodeId)) continue;
    if (e.state !== "inactive") steps.push({ kind: "leave", engine: e.name });
    steps.push({ kind: "join", engine: e.name, address: e.address });
  }
  return steps;
}
