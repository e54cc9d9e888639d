import { describe, expect, it } from "vitest";
import type { Toleration } from "../../core/k8s/scheduling/types";
import type { Pod } from "../../core/k8s/types";
import { evictions, nodeVerdict, tolerationMs } from "./node-lifecycle-plan";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const GRACE = 40_000;

function pod(name: string, tolerations?: Toleration[]): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "c", image: "nginx" }], ...(tolerations ? { tolerations } : {}) },
  };
}

const unreachable = (seconds?: number): Toleration => ({
  key: "node.kubernetes.io/unreachable",
  operator: "Exists",
  effect: "NoExecute",
  ...(seconds === undefined ? {} : { tolerationSeconds: seconds }),
});

describe("nodeVerdict", () => {
  it("keeps a node with a fresh heartbeat as it is", () => {
    expect(nodeVerdict({ heartbeatAt: at(0), conditionTaints: [] }, at(39), GRACE)).toEqual({
      conditionTaints: [],
      changed: false,
    });
  });

  it("taints a node unreachable (NoSchedule and NoExecute with its time) once the grace is over", () => {
    const verdict = nodeVerdict({ heartbeatAt: at(0), conditionTaints: [] }, at(40), GRACE);
    expect(verdict).toEqual({
      changed: true,
      conditionTaints: [
        { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" },
        { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: "2026-01-01T00:00:40Z" },
      ],
    });
    expect(
      nodeVerdict({ heartbeatAt: at(0), conditionTaints: verdict.conditionTaints }, at(90), GRACE),
    ).toEqual({ conditionTaints: verdict.conditionTaints, changed: false });
  });

  it("lifts the taints when the heartbeat is back", () => {
    const tainted = nodeVerdict({ heartbeatAt: at(0), conditionTaints: [] }, at(50), GRACE).conditionTaints;
    expect(nodeVerdict({ heartbeatAt: at(55), conditionTaints: tainted }, at(56), GRACE)).toEqual({
      conditionTaints: [],
      changed: true,
    });
  });
});

describe("the taint manager's evictions", () => {
  const taint = {
    key: "node.kubernetes.io/unreachable",
    effect: "NoExecute" as const,
    timeAdded: "2026-01-01T00:00:40Z",
  };

  it("counts the least matching tolerationSeconds, forever when none is bounded, at once when none matches", () => {
    expect(tolerationMs(pod("default", [unreachable(300)]), taint)).toBe(300_000);
    expect(
      tolerationMs(pod("short", [unreachable(300), { operator: "Exists", tolerationSeconds: 5 }]), taint),
    ).toBe(5_000);
    expect(tolerationMs(pod("forever", [unreachable()]), taint)).toBeUndefined();
    expect(tolerationMs(pod("none"), taint)).toBe(0);
    expect(
      tolerationMs(
        pod("other", [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" }]),
        taint,
      ),
    ).toBe(0);
  });

  it("evicts the pods whose toleration ran out and says when the next one does", () => {
    const pods = [
      pod("none"),
      pod("short", [unreachable(10)]),
      pod("long", [unreachable(300)]),
      pod("forever", [unreachable()]),
    ];
    const first = evictions(pods, taint, at(45));
    expect(first.evict.map((p) => p.metadata.name)).toEqual(["none"]);
    expect(first.nextInMs).toBe(5_000);
    const later = evictions(pods, taint, at(50));
    expect(later.evict.map((p) => p.metadata.name)).toEqual(["none", "short"]);
    expect(later.nextInMs).toBe(290_000);
  });
});
