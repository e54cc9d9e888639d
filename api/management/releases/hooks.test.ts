import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../core/k8s/types";
import type { Hook } from "../../../helm/release";
import { hookOutcome, hooksFor } from "./hooks";

const job = (conditions: { type: string; status: string }[]): KubeObject => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "migrate" },
  status: { conditions },
});

describe("hookOutcome", () => {
  it("waits for a Job's Complete or Failed condition, and a Pod's final phase", () => {
    expect(hookOutcome(job([]))).toBeUndefined();
    expect(hookOutcome(job([{ type: "Complete", status: "True" }]))).toBe(true);
    expect(hookOutcome(job([{ type: "Failed", status: "True" }]))).toBe(false);
    expect(hookOutcome(job([{ type: "Failed", status: "False" }]))).toBeUndefined();
    const pod = (phase: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {},
      status: { phase },
    });
    expect(hookOutcome(pod("Running"))).toBeUndefined();
    expect(hookOutcome(pod("Succeeded"))).toBe(true);
    expect(hookOutcome(pod("Failed"))).toBe(false);
  });

  it("counts a vanished hook as failed, and any other kind as done once written", () => {
    expect(hookOutcome(undefined)).toBe(false);
    expect(hookOutcome({ apiVersion: "v1", kind: "ConfigMap", metadata: {} })).toBe(true);
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
});
