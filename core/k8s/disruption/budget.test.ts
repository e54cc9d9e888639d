import { describe, expect, it } from "vitest";
import type { Pod } from "../types";
import { budgetStatus, type PodDisruptionBudget } from "./budget";

const NOW = "2026-11-22T10:00:00Z";

function pod(name: string, ready: boolean, labels = { app: "web" }): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels },
    spec: { containers: [] },
    status: {
      phase: "Running",
      conditions: [
        { type: "Ready", status: ready ? "True" : "False", lastProbeTime: null, lastTransitionTime: NOW },
      ],
    },
  };
}

const budget = (spec: PodDisruptionBudget["spec"]): PodDisruptionBudget => ({
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "web", namespace: "default", generation: 1 },
  spec: { selector: { matchLabels: { app: "web" } }, ...spec },
});

const pods = [pod("a", true), pod("b", true), pod("c", false), pod("other", true, { app: "db" })];

describe("budgetStatus", () => {
  it("allows what the healthy pods exceed minAvailable by", () => {
    expect(budgetStatus(budget({ minAvailable: 1 }), pods, NOW)).toMatchObject({
      expectedPods: 3,
      currentHealthy: 2,
      desiredHealthy: 1,
      disruptionsAllowed: 1,
      conditions: [{ type: "DisruptionAllowed", status: "True", reason: "SufficientPods" }],
    });
  });

  it("rounds percentages up, and counts maxUnavailable from the expected pods", () => {
    expect(budgetStatus(budget({ minAvailable: "50%" }), pods, NOW).desiredHealthy).toBe(2);
    const max = budgetStatus(budget({ maxUnavailable: 1 }), pods, NOW);
    expect(max).toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 0 });
    expect(max.conditions?.[0]).toMatchObject({ status: "False", reason: "InsufficientPods" });
  });
});
