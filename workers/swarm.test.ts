import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { createLogger } from "../core/telemetry";
import { SwarmFormation } from "./swarm";

/** An engine that answers `info` with its ID and data root, and records its Swarm calls under `name`. */
function engine(name: string, id: string, root: string, calls: string[]) {
  const docker = {
    info: async () => ({ ID: id, DockerRootDir: root, Swarm: { LocalNodeState: "inactive" } }),
    swarmInit: async () => calls.push(`init ${name}`),
    swarmJoin: async () => calls.push(`join ${name}`),
  } as unknown as Docker;
  return { name, address: `10.0.0.${calls.length + 2}`, docker };
}

describe("the Swarm formation", () => {
  it("makes no Swarm of one engine registered under several names, and has every name ready", async () => {
    const calls: string[] = [];
    const ready = await new SwarmFormation(createLogger("test")).reconcile([
      engine("docker-2", "E1", "/var/lib/docker", calls),
      engine("listed-1", "E1", "/var/lib/docker", calls),
    ]);
    expect(calls).toEqual([]);
    expect([...ready].sort()).toEqual(["docker-2", "listed-1"]);
  });

  it("inits a Swarm on the first of two engines, those of one machine (one key) told apart by their data roots", async () => {
    const pairs: [string, string, string, string][] = [
      ["E1", "/var/lib/docker", "E2", "/var/lib/docker"],
      ["K", "/lab/e1", "K", "/lab/e2"],
    ];
    for (const [idA, rootA, idB, rootB] of pairs) {
      const calls: string[] = [];
      await new SwarmFormation(createLogger("test")).reconcile([
        engine("a", idA, rootA, calls),
        engine("b", idB, rootB, calls),
      ]);
      expect(calls[0]).toBe("init a");
    }
  });
});
