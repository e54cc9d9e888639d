import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { createLogger } from "../core/telemetry";
import { SwarmFormation } from "./swarm";

/** An engine that answers `info` with its ID and records any Swarm call. */
function engine(id: string, calls: string[]): Docker {
  return {
    info: async () => ({ ID: id, Swarm: { LocalNodeState: "inactive" } }),
    swarmInit: async () => calls.push(`init ${id}`),
    swarmJoin: async () => calls.push(`join ${id}`),
  } as unknown as Docker;
}

describe("the Swarm formation", () => {
  it("makes no Swarm of one engine registered under several names, and has every name ready", async () => {
    const calls: string[] = [];
    const swarm = new SwarmFormation(createLogger("test"));
    const ready = await swarm.reconcile([
      { name: "docker-2", address: "10.0.0.2", docker: engine("E1", calls) },
      { name: "listed-1", address: "10.0.0.3", docker: engine("E1", calls) },
    ]);
    expect(calls).toEqual([]);
    expect([...ready].sort()).toEqual(["docker-2", "listed-1"]);
  });

  it("inits a Swarm on the first of two engines", async () => {
    const calls: string[] = [];
    const swarm = new SwarmFormation(createLogger("test"));
    await swarm.reconcile([
      { name: "a", address: "10.0.0.2", docker: engine("E1", calls) },
      { name: "b", address: "10.0.0.3", docker: engine("E2", calls) },
    ]);
    expect(calls[0]).toBe("init E1");
  });
});
