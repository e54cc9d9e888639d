import { describe, expect, it } from "vitest";
import type { Pod, PodPhase } from "../types";
import { applyLimitDefaults, type LimitRange, limitRangeViolations } from "./limit-range";
import { addUsage, formatAmount, objectUsage, quotaRefusal, quotaStatus, type ResourceQuota } from "./usage";

const pod = (
  name: string,
  resources?: Pod["spec"]["containers"][0]["resources"],
  phase: PodPhase = "Running",
): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "team" },
  spec: { containers: [{ name: "c", ...(resources ? { resources } : {}) }] },
  status: { phase },
});
const quota = (hard: Record<string, string>): ResourceQuota => ({
  apiVersion: "v1",
  kind: "ResourceQuota",
  metadata: { name: "compute", namespace: "team" },
  spec: { hard },
});
const small = { requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } };

describe("quota usage", () => {
  it("counts pods' requests and limits, and nothing for finished pods", () => {
    const used = [pod("a", small), pod("b", small), pod("done", small, "Succeeded")]
      .map((p) => objectUsage("", "pods", p))
      .reduce(addUsage, {});
    expect(used).toMatchObject({
      pods: 2,
      "requests.cpu": 500,
      "limits.memory": 256 * 2 ** 20,
      "count/pods": 2,
    });
    expect(quotaStatus(quota({ pods: "3", "requests.cpu": "1", "limits.memory": "1Gi" }), used)).toEqual({
      hard: { pods: "3", "requests.cpu": "1", "limits.memory": "1Gi" },
      used: { pods: "2", "requests.cpu": "500m", "limits.memory": "256Mi" },
    });
  });
  it("counts services by type and objects of any kind", () => {
    expect(
      objectUsage("", "services", {
        apiVersion: "v1",
        kind: "Service",
        metadata: {},
        spec: { type: "NodePort", ports: [{}, {}] },
      }),
    ).toEqual({
      "count/services": 1,
      services: 1,
      "services.nodeports": 2,
    });
    expect(
      objectUsage("apps", "deployments", { apiVersion: "apps/v1", kind: "Deployment", metadata: {} }),
    ).toEqual({
      "count/deployments.apps": 1,
    });
  });
  it("refuses what would go over, in ResourceQuota admission's words", () => {
    const q = quota({ pods: "2", "limits.memory": "1Gi" });
    expect(
      quotaRefusal(
        q,
        { pods: 2, "limits.memory": 256 * 2 ** 20 },
        objectUsage("", "pods", pod("c", small)),
        pod("c", small),
      ),
    ).toBe("exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2");
    expect(
      quotaRefusal(q, { pods: 1 }, objectUsage("", "pods", pod("c", small)), pod("c", small)),
    ).toBeUndefined();
    expect(
      quotaRefusal(
        quota({ "requests.cpu": "1", memory: "1Gi" }),
        {},
        objectUsage("", "pods", pod("bare")),
        pod("bare"),
      ),
    ).toBe("failed quota: compute: must specify requests.cpu for: c; requests.memory for: c");
    expect(formatAmount("requests.cpu", 1500)).toBe("1500m");
  });
});

describe("limit ranges", () => {
  const range: LimitRange = {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "defaults", namespace: "team" },
    spec: {
      limits: [
        {
          type: "Container",
          default: { cpu: "500m" },
          defaultRequest: { cpu: "100m" },
          max: { cpu: "1", memory: "512Mi" },
          min: { cpu: "50m" },
        },
      ],
    },
  };
  it("fills in missing requests and limits from the defaults, max standing in for a missing default", () => {
    const p = pod("p");
    applyLimitDefaults(p, [range]);
    expect(p.spec.containers[0]?.resources).toEqual({
      limits: { cpu: "500m", memory: "512Mi" },
      requests: { cpu: "100m", memory: "512Mi" },
    });
    expect(limitRangeViolations(p, [range])).toEqual([]);
  });
  it("refuses containers outside min and max", () => {
    const p = pod("p", { requests: { cpu: "10m" }, limits: { cpu: "2", memory: "1Gi" } });
    expect(limitRangeViolations(p, [range])).toEqual([
      "minimum cpu usage per Container is 50m, but request is 10m",
      "maximum cpu usage per Container is 1, but limit is 2",
      "maximum memory usage per Container is 512Mi, but limit is 1Gi",
    ]);
  });
});
