import { describe, expect, it } from "vitest";
import { budgetRefusal, effectiveLimits, podBudgetUsage } from "./budget";
import type { Container, Pod } from "./types";

const defaults = { memoryBytes: 256 * 2 ** 20, cpuMillis: 1000, pids: 512 };
const c = (resources?: Container["resources"]): Container => ({
  name: "c",
  image: "busybox",
  ...(resources ? { resources } : {}),
});
const pod = (
  containers: Container[],
  init: Container[] = [],
  phase: "Running" | "Succeeded" = "Running",
): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p" },
  spec: { containers, ...(init.length ? { initContainers: init } : {}) },
  status: { phase },
});

describe("a container's effective limits", () => {
  it("takes its own limits, else the platform's defaults", () => {
    expect(effectiveLimits(c(), defaults)).toEqual({
      memoryBytes: 256 * 2 ** 20,
      cpuMillis: 1000,
      pids: 512,
    });
    expect(effectiveLimits(c({ limits: { memory: "1Gi", cpu: "250m" } }), defaults)).toEqual({
      memoryBytes: 2 ** 30,
      cpuMillis: 250,
      pids: 512,
    });
  });

  it("raises a default memory limit to a larger request; a CPU request alone changes nothing", () => {
    expect(effectiveLimits(c({ requests: { memory: "1Gi", cpu: "3" } }), defaults)).toMatchObject({
      memoryBytes: 2 ** 30,
      cpuMillis: 1000,
    });
  });
});

describe("a pod's use of its cluster's budget", () => {
  it("sums its containers, or takes its largest init container, and counts nothing once finished", () => {
    expect(podBudgetUsage(pod([c(), c({ limits: { memory: "512Mi" } })]), defaults)).toEqual({
      memoryBytes: 768 * 2 ** 20,
      cpuMillis: 2000,
      pods: 1,
    });
    expect(podBudgetUsage(pod([c()], [c({ limits: { memory: "2Gi", cpu: "4" } })]), defaults)).toEqual({
      memoryBytes: 2 ** 31,
      cpuMillis: 4000,
      pods: 1,
    });
    expect(podBudgetUsage(pod([c()], [], "Succeeded"), defaults)).toEqual({
      memoryBytes: 0,
      cpuMillis: 0,
      pods: 0,
    });
  });
});

describe("refusals past the budget", () => {
  const budget = { memoryBytes: 2 ** 30, cpuMillis: 4000, pods: 10, storageBytes: 2 ** 26 };
  it("words them as kube-apiserver words an exceeded quota, naming only what is exceeded", () => {
    const used = { memoryBytes: 768 * 2 ** 20, cpuMillis: 3000, pods: 3 };
    expect(
      budgetRefusal(budget, used, { memoryBytes: 256 * 2 ** 20, cpuMillis: 1000, pods: 1 }),
    ).toBeUndefined();
    expect(budgetRefusal(budget, used, { memoryBytes: 512 * 2 ** 20, cpuMillis: 2000, pods: 1 })).toBe(
      "exceeded quota: timonier-platform, requested: limits.cpu=2,limits.memory=512Mi, used: limits.cpu=3,limits.memory=768Mi, limited: limits.cpu=4,limits.memory=1Gi",
    );
    expect(budgetRefusal(budget, { ...used, pods: 10 }, { memoryBytes: 1, cpuMillis: 1, pods: 1 })).toBe(
      "exceeded quota: timonier-platform, requested: pods=1, used: pods=10, limited: pods=10",
    );
  });
});
