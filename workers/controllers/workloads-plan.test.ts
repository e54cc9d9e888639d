import { describe, expect, it } from "vitest";
import { resolveIntOrPercent } from "../../core/k8s/int-or-percent";
import type { Pod } from "../../core/k8s/types";
import {
  type Deployment,
  REVISION_ANNOTATION,
  type ReplicaSet,
  TEMPLATE_HASH_LABEL,
} from "../../core/k8s/workloads/types";
import { planDeployment, templateHash } from "./deployment-plan";
import { planReplicaSet } from "./replicaset-plan";

const NOW = new Date("2026-01-01T00:10:00Z");
const template = (image: string) => ({
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "nginx", image }] },
});

function rs(name: string, replicas: number, available: number, image: string, revision: number): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      labels: { app: "web", [TEMPLATE_HASH_LABEL]: templateHash(template(image)) },
      annotations: { [REVISION_ANNOTATION]: String(revision) },
    },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template: template(image) },
    status: { replicas, readyReplicas: available, availableReplicas: available },
  };
}

function deployment(image: string, replicas: number, strategy?: Deployment["spec"]["strategy"]): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", uid: "d1", generation: 2 },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: template(image),
      ...(strategy ? { strategy } : {}),
    },
  };
}

describe("resolveIntOrPercent", () => {
  it("rounds surge up and unavailability down", () => {
    expect(resolveIntOrPercent("25%", 3, true)).toBe(1);
    expect(resolveIntOrPercent("25%", 3, false)).toBe(0);
    expect(resolveIntOrPercent(2, 3, false)).toBe(2);
  });
});

describe("planDeployment", () => {
  it("creates the first replica set at full size, revision 1", () => {
    const plan = planDeployment(deployment("nginx:1", 3), [], NOW);
    expect(plan.createReplicaSet?.spec.replicas).toBe(3);
    expect(plan.createReplicaSet?.metadata.annotations?.[REVISION_ANNOTATION]).toBe("1");
    expect(plan.createReplicaSet?.spec.selector.matchLabels?.[TEMPLATE_HASH_LABEL]).toBe(
      templateHash(template("nginx:1")),
    );
    expect(plan.revision).toBe(1);
  });

  it("reports a rollout that stops moving for progressDeadlineSeconds, and looks again in time", () => {
    const stuck = deployment("nginx:2", 1);
    stuck.spec.progressDeadlineSeconds = 60;
    const owned = [rs("web-new", 1, 0, "nginx:2", 1)];
    const started = planDeployment(stuck, owned, NOW);
    const progressing = started.status.conditions?.find((c) => c.type === "Progressing");
    expect(progressing).toMatchObject({ status: "True", reason: "ReplicaSetUpdated" });
    expect(started.recheckAfterMs).toBe(60_500);
    stuck.status = started.status;
    const later = planDeployment(stuck, owned, new Date(NOW.getTime() + 61_000));
    expect(later.status.conditions?.find((c) => c.type === "Progressing")).toMatchObject({
      status: "False",
      reason: "ProgressDeadlineExceeded",
      message: 'ReplicaSet "web-new" has timed out progressing.',
    });
  });

  it("surges one new pod for a new template without losing availability", () => {
    const plan = planDeployment(deployment("nginx:2", 3), [rs("web-old", 3, 3, "nginx:1", 1)], NOW);
    expect(plan.createReplicaSet?.spec.replicas).toBe(1);
    expect(plan.scale).toEqual([]);
    expect(plan.revision).toBe(2);
  });

  it("scales the old replica set down as new pods become available", () => {
    const plan = planDeployment(
      deployment("nginx:2", 3),
      [rs("web-old", 3, 3, "nginx:1", 1), rs("web-new", 1, 1, "nginx:2", 2)],
      NOW,
    );
    expect(plan.scale).toEqual([{ name: "web-old", replicas: 2 }]);
  });

  it("with Recreate, empties the old replica set before starting the new one", () => {
    const recreate = deployment("nginx:2", 2, { type: "Recreate" });
    const first = planDeployment(recreate, [rs("web-old", 2, 2, "nginx:1", 1)], NOW);
    expect(first.scale).toEqual([{ name: "web-old", replicas: 0 }]);
    expect(first.createReplicaSet?.spec.replicas).toBe(0);
    const drained = { ...rs("web-old", 0, 0, "nginx:1", 1), status: { replicas: 0 } };
    const second = planDeployment(recreate, [drained, rs("web-new", 0, 0, "nginx:2", 2)], NOW);
    expect(second.scale).toEqual([{ name: "web-new", replicas: 2, revision: 2 }]);
  });

  it("reports a complete rollout the way kubectl rollout status reads it", () => {
    const plan = planDeployment(deployment("nginx:1", 2), [rs("web-a", 2, 2, "nginx:1", 1)], NOW);
    expect(plan.status).toMatchObject({
      observedGeneration: 2,
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
    expect(plan.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["Available", "True", "MinimumReplicasAvailable"],
      ["Progressing", "True", "NewReplicaSetAvailable"],
    ]);
  });

  it("gives a rolled-back template the next revision", () => {
    const plan = planDeployment(
      deployment("nginx:1", 1),
      [rs("web-a", 0, 0, "nginx:1", 1), rs("web-b", 1, 1, "nginx:2", 2)],
      NOW,
    );
    expect(plan.revision).toBe(3);
    expect(plan.scale).toContainEqual({ name: "web-a", replicas: 1, revision: 3 });
  });
});

function pod(name: string, ready: boolean, nodeName?: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: { containers: [{ name: "c", image: "nginx" }], ...(nodeName ? { nodeName } : {}) },
    status: {
      phase: ready ? "Running" : "Pending",
      conditions: [
        {
          type: "Ready",
          status: ready ? "True" : "False",
          lastProbeTime: null,
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
      ],
    },
  };
}

describe("planReplicaSet", () => {
  const set = rs("web-a", 2, 0, "nginx:1", 1);

  it("creates the missing pods", () => {
    expect(planReplicaSet(set, [pod("a", true, "n")], NOW)).toMatchObject({
      create: 1,
      remove: [],
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
    });
  });

  it("deletes surplus pods, unscheduled and unready ones first", () => {
    const plan = planReplicaSet(
      set,
      [pod("ready", true, "n"), pod("pending", false), pod("also", true, "n")],
      NOW,
    );
    expect(plan.remove).toEqual(["pending"]);
  });

  it("does not count pods being deleted", () => {
    const leaving = { ...pod("old", true, "n"), metadata: { name: "old", deletionTimestamp: "x" } };
    expect(planReplicaSet(set, [leaving, pod("a", true, "n")], NOW).create).toBe(1);
  });
});
