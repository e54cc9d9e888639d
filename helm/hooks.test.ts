import { describe, expect, it } from "vitest";
import { type HookObject, hasHooksAround, hookOutcome, hooksFor } from "./hooks";
import type { Hook } from "./release";

const job = (conditions: { type: string; status: string }[]): HookObject => ({
  kind: "Job",
  status: { conditions },
});

describe("hookOutcome", () => {
  it("waits for a Job's Complete or Failed condition, and a Pod's final phase", () => {
    expect(hookOutcome(job([]))).toBeUndefined();
    expect(hookOutcome(job([{ type: "Complete", status: "True" }]))).toBe(true);
    expect(hookOutcome(job([{ type: "Failed", status: "True" }]))).toBe(false);
    expect(hookOutcome(job([{ type: "Failed", status: "False" }]))).toBeUndefined();
    const pod = (phase: string): HookObject => ({
      kind: "Pod",
      status: { phase },
    });
    expect(hookOutcome(pod("Running"))).toBeUndefined();
    expect(hookOutcome(pod("Succeeded"))).toBe(true);
    expect(hookOutcome(pod("Failed"))).toBe(false);
  });

  it("counts a vanished hook as failed, and any other kind as done once written", () => {
    expect(hookOutcome(undefined)).toBe(false);
    expect(hookOutcome({ kind: "ConfigMap" })).toBe(true);
  });
});

describe("hooksFor", () => {
  const hook = (name: string, weight: number, events: string[]): Hook => ({
    name,
    kind: "Job",
    path: `templates/${name}.yaml`,
    manifest: "",
    events,
    weight,
    delete_policies: [],
  });

  it("orders an event's hooks by weight, then name", () => {
    const hooks = [
      hook("b", 0, ["pre-install"]),
      hook("a", 0, ["pre-install"]),
      hook("c", -1, ["pre-install"]),
    ];
    expect(hooksFor([...hooks, hook("d", -5, ["post-install"])], "pre-install").map((h) => h.name)).toEqual([
      "c",
      "a",
      "b",
    ]);
  });

  it("tells whether an operation has hooks around it", () => {
    const hooks = [hook("m", 0, ["pre-upgrade"]), hook("n", 0, ["post-delete"])];
    expect(hasHooksAround(hooks, "upgrade")).toBe(true);
    expect(hasHooksAround(hooks, "delete")).toBe(true);
    expect(hasHooksAround(hooks, "install")).toBe(false);
  });
});
