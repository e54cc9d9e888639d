import { describe, expect, it } from "vitest";
import { type EngineSwarm, swarmSteps } from "./swarm-plan";

const engine = (name: string, o: Partial<EngineSwarm> = {}): EngineSwarm => ({
  name,
  address: `198.18.0.${name.slice(-1)}`,
  state: "inactive",
  manager: false,
  ...o,
});

describe("swarmSteps", () => {
  it("leaves a lone engine alone, whatever its state", () => {
    expect(swarmSteps([engine("n1")], new Set())).toEqual([]);
  });

  it("inits the Swarm on the first reachable engine when none is in one", () => {
    const engines = [engine("n1", { state: "unreachable" }), engine("n2"), engine("n3")];
    expect(swarmSteps(engines, new Set())).toEqual([{ kind: "init", engine: "n2", address: "198.18.0.2" }]);
  });

  it("starts no second Swarm while a member's manager does not answer", () => {
    const engines = [engine("n1", { state: "unreachable" }), engine("n2", { state: "active", nodeId: "b" })];
    expect(swarmSteps(engines, new Set())).toEqual([]);
  });

  it("joins the others as workers, leaves members and engines still joining alone", () => {
    const engines = [
      engine("n1", { state: "active", nodeId: "a", manager: true }),
      engine("n2", { state: "active", nodeId: "b" }),
      engine("n3"),
      engine("n4", { state: "pending" }),
      engine("n5", { state: "unreachable" }),
    ];
    expect(swarmSteps(engines, new Set(["a", "b"]))).toEqual([
      { kind: "join", engine: "n3", address: "198.18.0.3" },
    ]);
  });

  it("makes an engine of another Swarm, or stuck joining, leave and join again", () => {
    const engines = [
      engine("n1", { state: "active", nodeId: "a", manager: true }),
      engine("n2", { state: "active", nodeId: "elsewhere" }),
      engine("n3", { state: "error" }),
    ];
    expect(swarmSteps(engines, new Set(["a"]))).toEqual([
      { kind: "leave", engine: "n2" },
      { kind: "join", engine: "n2", address: "198.18.0.2" },
      { kind: "leave", engine: "n3" },
      { kind: "join", engine: "n3", address: "198.18.0.3" },
    ]);
  });
});
