import { describe, expect, it } from "vitest";
import { planSweep } from "./cluster-reset-plan";

const base = {
  ready: ["n1", "n2"],
  done: new Set<string>(),
  asked: new Map<string, number>(),
  now: 10_000,
  askAgainMs: 5_000,
};

describe("planSweep", () => {
  it("asks every ready node at first, and is not swept until each has reported", () => {
    expect(planSweep(base)).toEqual({ ask: ["n1", "n2"], swept: false });
    expect(planSweep({ ...base, done: new Set(["n1"]) })).toEqual({ ask: ["n2"], swept: false });
  });

  it("is swept once every ready node has reported, whatever the nodes that are down", () => {
    expect(planSweep({ ...base, done: new Set(["n1", "n2"]) })).toEqual({ ask: [], swept: true });
    expect(planSweep({ ...base, ready: [] })).toEqual({ ask: [], swept: true });
  });

  it("asks a node again only after askAgainMs without its report", () => {
    const asked = new Map([
      ["n1", 9_000],
      ["n2", 4_000],
    ]);
    expect(planSweep({ ...base, asked })).toEqual({ ask: ["n2"], swept: false });
    expect(planSweep({ ...base, asked, now: 14_000 })).toEqual({ ask: ["n1", "n2"], swept: false });
  });
});
