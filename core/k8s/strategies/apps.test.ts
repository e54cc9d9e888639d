import { describe, expect, it } from "vitest";
import { findResourceType } from "../resources";
import type { KubeObject } from "../types";
import type { DaemonSet, StatefulSet } from "../workloads/types";
import { daemonSetStrategy } from "./daemonsets";
import { statefulSetStrategy } from "./statefulsets";

const NOW = new Date("2026-01-01T00:00:00Z");
function ctx(resource: string) {
  const type = findResourceType("apps", "v1", resource);
  if (!type) throw new Error(`apps/v1 ${resource} is not served`);
  return { now: NOW, type };
}

function workload(kind: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: { name: "web", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] },
      },
      ...spec,
    },
  };
}

const message = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  return "";
};

describe("StatefulSet strategy", () => {
  it("defaults like kube-apiserver and stores volumeClaimTemplates", () => {
    const sts = statefulSetStrategy.create(
      workload("StatefulSet", {
        volumeClaimTemplates: [{ metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"] } }],
      }),
      ctx("statefulsets"),
    ) as StatefulSet;
    expect(sts.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    });
    expect(sts.spec.volumeClaimTemplates?.[0]).toMatchObject({
      kind: "PersistentVolumeClaim",
      spec: { volumeMode: "Filesystem" },
      status: { phase: "Pending" },
    });
    expect(sts.spec.template.spec.restartPolicy).toBe("Always");
    expect(sts.metadata.generation).toBe(1);
  });

  it("refuses what kube-apiserver refuses", () => {
    const bad = workload("StatefulSet", { podManagementPolicy: "Sometimes" });
    expect(message(() => statefulSetStrategy.create(bad, ctx("statefulsets")))).toContain(
      'spec.podManagementPolicy: Unsupported value: "Sometimes"',
    );
    const never = workload("StatefulSet");
    (never.spec as StatefulSet["spec"]).template.spec.restartPolicy = "Never";
    expect(message(() => statefulSetStrategy.create(never, ctx("statefulsets")))).toContain(
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    );
  });

  it("lets replicas, template and update strategy change, not the rest of the spec", () => {
    const current: KubeObject = {
      ...statefulSetStrategy.create(workload("StatefulSet"), ctx("statefulsets")),
      status: { replicas: 1 },
    };
    const scaled = structuredClone(current);
    (scaled.spec as StatefulSet["spec"]).replicas = 3;
    const next = statefulSetStrategy.update(scaled, current, ctx("statefulsets"));
    expect(next.metadata.generation).toBe(2);
    expect(next.status).toEqual({ replicas: 1 });
    const renamed = structuredClone(current);
    (renamed.spec as StatefulSet["spec"]).serviceName = "other";
    expect(message(() => statefulSetStrategy.update(renamed, current, ctx("statefulsets")))).toContain(
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
  });
});

describe("DaemonSet strategy", () => {
  it("defaults the rolling update and counts template changes", () => {
    const ds = daemonSetStrategy.create(workload("DaemonSet"), ctx("daemonsets")) as DaemonSet;
    expect(ds.spec.updateStrategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    expect(ds.metadata.annotations?.["deprecated.daemonset.template.generation"]).toBe("1");
    const changed = structuredClone(ds);
    (changed.spec.template.spec.containers[0] as { image: string }).image = "nginx:1.27";
    const next = daemonSetStrategy.update(changed, ds, ctx("daemonsets")) as DaemonSet;
    expect(next.metadata.annotations?.["deprecated.daemonset.template.generation"]).toBe("2");
    expect(next.metadata.generation).toBe(2);
  });

  it("keeps the selector immutable", () => {
    const ds = daemonSetStrategy.create(workload("DaemonSet"), ctx("daemonsets")) as DaemonSet;
    const moved = structuredClone(ds);
    moved.spec.selector = { matchLabels: { app: "other" } };
    moved.spec.template.metadata = { labels: { app: "other" } };
    expect(message(() => daemonSetStrategy.update(moved, ds, ctx("daemonsets")))).toContain(
      "spec.selector: Invalid value",
    );
  });
});
