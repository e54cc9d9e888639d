import type Docker from "dockerode";
import type { Logger } from "../core/telemetry";
import { type EngineSwarm, type SwarmStep, swarmSteps } from "./swarm-plan";

/** A registered engine as the Swarm formation drives it. */
export interface SwarmEngine {
  name: string;
  address: string;
  docker: Docker;
}

/** The Swarm port every engine listens on (Docker's default). */
const SWARM_PORT = 2377;

interface SwarmNode {
  ID: string;
  Spec?: { Role?: string };
  Status?: { State?: string; Addr?: string };
}

interface SwarmInfo {
  LocalNodeState?: EngineSwarm["state"];
  NodeID?: string;
  ControlAvailable?: boolean;
}

async function stateOf(engine: SwarmEngine): Promise<EngineSwarm> {
  try {
    const info = (await engine.docker.info()) as { Swarm?: SwarmInfo };
    const swarm = info.Swarm ?? {};
    return {
      name: engine.name,
      address: engine.address,
      state: swarm.LocalNodeState ?? "inactive",
      ...(swarm.NodeID ? { nodeId: swarm.NodeID } : {}),
      manager: swarm.ControlAvailable === true,
    };
  } catch {
    return { name: engine.name, address: engine.address, state: "unreachable", manager: false };
  }
}

/**
 * The engines as machines: nodes registered on one engine count once, so that no Swarm is made of one
 * engine under several names. An engine is its `ID` (the host's key, which engines of one machine share)
 * and its data root; one that does not answer counts as its own.
 */
async function distinctEngines(engines: SwarmEngine[]): Promise<SwarmEngine[]> {
  const ids = await Promise.all(
    engines.map((e) =>
      e.docker
        .info()
        .then((info: { ID?: string; DockerRootDir?: string }) => `${info.ID} ${info.DockerRootDir}`)
        .catch(() => e.name),
    ),
  );
  return engines.filter((_, i) => ids.indexOf(ids[i] as string) === i);
}

/**
 * Makes the engines registered through the management API one Docker Swarm, through the Engine API only,
 * so that each cluster's overlay network spans them: level-triggered, run at every supervision pass (the
 * supervisor runs one at a time: a join may take the Engine's 20 s). The first engine inits it on its advertise address, the
 * others join as workers (swarm-plan.ts), an engine already a member is left alone, one in another Swarm
 * or stuck leaves and joins again. A lone engine (every single-node platform) is never touched.
 */
export class SwarmFormation {
  private manager: Docker | undefined;

  constructor(private readonly logger: Logger) {}

  /** A reachable manager of the Swarm, as last seen: where cluster overlay networks are created. */
  managerEngine(): Docker | undefined {
    return this.manager;
  }

  /**
   * Converges the Swarm; returns the engines whose data plane is ready for pods: every engine when there is
   * one alone (its bridge networks), else the active members (a pod placed on an engine still outside would
   * get a bridge network of its own, addresses the others' pods may also hold).
   */
  async reconcile(engines: SwarmEngine[]): Promise<ReadonlySet<string>> {
    const distinct = await distinctEngines(engines);
    if (distinct.length < 2) return new Set(engines.map((e) => e.name));
    await this.converge(distinct);
    const states = await Promise.all(engines.map(stateOf));
    return new Set(states.filter((s) => s.state === "active").map((s) => s.name));
  }

  private async converge(engines: SwarmEngine[]): Promise<void> {
    // an init is followed by the joins in the same pass
    for (let round = 0; round < 2; round++) {
      const states = await Promise.all(engines.map(stateOf));
      const managerState = states.find((s) => s.state === "active" && s.manager);
      const manager = engines.find((e) => e.name === managerState?.name);
      this.manager = manager?.docker;
      const nodes = manager ? ((await manager.docker.listNodes()) as SwarmNode[]) : [];
      if (manager) await this.forget(manager, nodes, engines);
      const members = new Set(nodes.map((n) => n.ID));
      const steps = swarmSteps(states, members);
      if (!steps.length) return;
      for (const step of steps) {
        const engine = engines.find((e) => e.name === step.engine) as SwarmEngine;
        try {
          await this.apply(engine, step, manager);
          this.logger.info("swarm membership changed", { node: step.engine, step: step.kind });
        } catch (e) {
          this.logger.warn("swarm step failed", {
            node: step.engine,
            step: step.kind,
            error: (e as Error).message,
          });
        }
      }
      if (!steps.some((s) => s.kind === "init")) return;
    }
  }

  /** Workers that left and whose engines are no longer registered: the manager forgets them. */
  private async forget(manager: SwarmEngine, nodes: SwarmNode[], engines: SwarmEngine[]): Promise<void> {
    for (const n of nodes)
      if (
        n.Spec?.Role === "worker" &&
        n.Status?.State === "down" &&
        !engines.some((e) => e.address === n.Status?.Addr)
      )
        await manager.docker
          .getNode(n.ID)
          .remove({ force: true })
          .catch(() => undefined);
  }

  private async apply(engine: SwarmEngine, step: SwarmStep, manager: SwarmEngine | undefined) {
    const docker = engine.docker;
    switch (step.kind) {
      case "init":
        await docker.swarmInit({ AdvertiseAddr: step.address, ListenAddr: `0.0.0.0:${SWARM_PORT}` });
        return;
      case "leave":
        await docker.swarmLeave({ force: true });
        return;
      case "join": {
        if (!manager) return;
        const { JoinTokens } = (await manager.docker.swarmInspect()) as {
          JoinTokens: { Worker: string };
        };
        const address = manager.address;
        await docker.swarmJoin({
          RemoteAddrs: [`${address}:${SWARM_PORT}`],
          JoinToken: JoinTokens.Worker,
          AdvertiseAddr: step.address,
          ListenAddr: `0.0.0.0:${SWARM_PORT}`,
        });
        return;
      }
    }
  }
}

/** An engine leaving the Swarm as its node is removed from the platform (nothing when it is in none). */
export async function leaveSwarm(docker: Docker): Promise<void> {
  const info = (await docker.info()) as { Swarm?: SwarmInfo };
  if ((info.Swarm?.LocalNodeState ?? "inactive") === "inactive") return;
  await docker.swarmLeave({ force: true });
}
