import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { podRequests } from "../../core/k8s/requests";
import { untoleratedTaint } from "../../core/k8s/scheduling/taints";
import { tolerationsOf } from "../../core/k8s/scheduling/types";
import type { Pod } from "../../core/k8s/types";
import { priorityOf } from "./candidate";
import { type NodeCandidate, schedulePod } from "./plan";

function pod(name: string, cpu: number, priority: number, tolerate: boolean): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: name, creationTimestamp: "2024-01-01T00:00:00Z" },
    spec: {
      containers: [{ name: "c", image: "busybox", resources: { requests: { cpu: `${cpu}m` } } }],
      priority,
      ...(tolerate ? { tolerations: [{ key: "gpu", operator: "Exists" }] } : {}),
    },
  };
}

const arbNode = (i: number) =>
  fc
    .record({
      tainted: fc.boolean(),
      foreign: fc.integer({ min: 0, max: 1000 }),
      pods: fc.array(
        fc.record({ cpu: fc.integer({ min: 100, max: 900 }), priority: fc.integer({ min: 0, max: 3 }) }),
        {
          maxLength: 4,
        },
      ),
    })
    .map(({ tainted, foreign, pods }): NodeCandidate => {
      const own = pods.map((p, j) => pod(`n${i}-p${j}`, p.cpu, p.priority, true));
      const cpu = own.reduce((s, p) => s + podRequests(p).cpuMillis, foreign);
      return {
        name: `n${i}`,
        ready: true,
        labels: {},
        taints: tainted ? [{ key: "gpu", effect: "NoSchedule" }] : [],
        allocatable: { cpuMillis: 2000, memoryBytes: 1e12, pods: 110 },
        requested: { cpuMillis: cpu, memoryBytes: 0, pods: own.length + (foreign ? 1 : 0) },
        pods: own,
      };
    });

const arbCase = fc.record({
  nodes: fc.tuple(arbNode(0), arbNode(1), arbNode(2)),
  cpu: fc.integer({ min: 100, max: 2000 }),
  priority: fc.integer({ min: 0, max: 4 }),
  tolerate: fc.boolean(),
});

describe("schedulePod properties", () => {
  it("binds only where every hard constraint holds, and preempts only lower-priority pods of its own view that make room", () => {
    fc.assert(
      fc.property(arbCase, ({ nodes, cpu, priority, tolerate }) => {
        const incoming = pod("incoming", cpu, priority, tolerate);
        const decision = schedulePod(incoming, [...nodes]);
        if ("node" in decision) {
          const n = nodes.find((x) => x.name === decision.node) as NodeCandidate;
          expect(n.requested.cpuMillis + cpu).toBeLessThanOrEqual(n.allocatable.cpuMillis);
          expect(untoleratedTaint(n.taints ?? [], tolerationsOf(incoming.spec))).toBeUndefined();
          return;
        }
        if (!decision.preempt) return;
        const target = nodes.find((x) => x.name === decision.preempt?.node) as NodeCandidate;
        for (const v of decision.preempt.victims) {
          expect(target.pods).toContain(v);
          expect(priorityOf(v)).toBeLessThan(priority);
        }
        const freed = decision.preempt.victims.reduce((s, v) => s + podRequests(v).cpuMillis, 0);
        const after: NodeCandidate = {
          ...target,
          pods: (target.pods ?? []).filter((p) => !decision.preempt?.victims.includes(p)),
          requested: { ...target.requested, cpuMillis: target.requested.cpuMillis - freed },
        };
        expect(schedulePod(incoming, [after])).toEqual({ node: target.name });
      }),
      { numRuns: 300 },
    );
  });
});
