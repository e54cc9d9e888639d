import { describe, expect, it } from "vitest";
import type { Pod } from "../../core/k8s/types";
import {
  CONTROLLER_REVISION_HASH_LABEL,
  type ControllerRevision,
  type StatefulSet,
} from "../../core/k8s/workloads/types";
import { canonicalJson, planRevisions, revisionData, revisionHash, templateOf } from "./revisions";
import { claimsFor, planStatefulSet } from "./statefulset-plan";

const NOW = new Date("2026-01-01T00:10:00Z");
const template = (image: string) => ({
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "nginx", image }] },
});

function sts(
  image: string,
  replicas: number,
  spec: Partial<StatefulSet["spec"]> = {},
  currentRevision?: string,
) {
  const set: StatefulSet = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default", uid: "s1", generation: 1 },
    spec: {
      replicas,
      serviceName: "nginx",
      selector: { matchLabels: { app: "web" } },
      template: template(image),
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      ...spec,
    },
  };
  if (currentRevision) set.status = { replicas, currentRevision };
  return set;
}

const revName = (image: string) => `web-${revisionHash(template(image))}`;

function revision(image: string, number: number): ControllerRevision {
  const plan = planRevisions(sts(image, 1), [], new Set(), 10);
  return { ...(plan.create as ControllerRevision), revision: number };
}

function pod(ordinal: number, image: string, state: "ready" | "pending" | "terminating" = "ready"): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `web-${ordinal}`,
      labels: { app: "web", [CONTROLLER_REVISION_HASH_LABEL]: revName(image) },
      creationTimestamp: "2026-01-01T00:00:00Z",
      ...(state === "terminating" ? { deletionTimestamp: "2026-01-01T00:10:30Z" } : {}),
    },
    spec: { containers: [{ name: "nginx", image }], nodeName: "n1" },
    status: {
      phase: state === "pending" ? "Pending" : "Running",
      conditions: [
        {
          type: "Ready",
          status: state === "pending" ? "False" : "True",
          lastProbeTime: null,
          lastTransitionTime: "2026-01-01T00:01:00Z",
        },
      ],
    },
  };
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

describe("revisions", () => {
  it("hash the template whatever its key order and record it for rollout undo", () => {
    const a = { spec: { containers: [{ image: "x", name: "c" }] }, metadata: { labels: { a: "1" } } };
    const b = { metadata: { labels: { a: "1" } }, spec: { containers: [{ name: "c", image: "x" }] } };
    expect(revisionHash(a)).toBe(revisionHash(b));
    expect(canonicalJson(revisionData(b))).toBe(
      '{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"a":"1"}},"spec":{"containers":[{"image":"x","name":"c"}]}}}}',
    );
    expect(templateOf(revision("nginx:1.25", 1))).toEqual(template("nginx:1.25"));
  });

  it("renumber a template that becomes current again and prune unused ones beyond the limit", () => {
    const history = [revision("nginx:1", 1), revision("nginx:2", 2), revision("nginx:3", 3)];
    const back = planRevisions(sts("nginx:1", 1), history, new Set(), 1);
    expect(back.create).toBeUndefined();
    expect(back.renumber).toEqual({ name: revName("nginx:1"), revision: 4 });
    expect(back.remove).toEqual([revName("nginx:2")]);
  });
});

describe("planStatefulSet", () => {
  it("creates web-0 first, with its stable hostname, subdomain and revision label", () => {
    const plan = planStatefulSet(sts("nginx:1.25", 3), [], [], NOW);
    expect(names(plan.create)).toEqual(["web-0"]);
    const web0 = plan.create[0] as Pod;
    expect(web0.spec.hostname).toBe("web-0");
    expect(web0.spec.subdomain).toBe("nginx");
    expect(web0.metadata.labels).toMatchObject({
      app: "web",
      [CONTROLLER_REVISION_HASH_LABEL]: revName("nginx:1.25"),
      "statefulset.kubernetes.io/pod-name": "web-0",
      "apps.kubernetes.io/pod-index": "0",
    });
    expect(web0.metadata.ownerReferences?.[0]).toMatchObject({
      kind: "StatefulSet",
      uid: "s1",
      controller: true,
    });
    expect(plan.revisions.create?.revision).toBe(1);
    expect(plan.status).toMatchObject({ replicas: 0, updateRevision: revName("nginx:1.25") });
  });

  it("gives each pod its own claim per volumeClaimTemplate, owned by the set only when it deletes them", () => {
    const www = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "www", labels: { tier: "data" } },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    };
    const set = sts("nginx:1.25", 2, { volumeClaimTemplates: [www] });
    const [web0] = planStatefulSet(set, [], [], NOW).create;
    expect(web0?.spec.volumes).toEqual([{ name: "www", persistentVolumeClaim: { claimName: "www-web-0" } }]);
    const [claim] = claimsFor(set, 1);
    expect(claim?.claim.metadata).toEqual({
      name: "www-web-1",
      namespace: "default",
      labels: { tier: "data", app: "web" },
    });
    expect(claim?.claim.spec).toMatchObject({
      volumeMode: "Filesystem",
      resources: { requests: { storage: "1Gi" } },
    });
    const deleting = sts("nginx:1.25", 2, {
      volumeClaimTemplates: [www],
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
    });
    expect(claimsFor(deleting, 0)[0]?.claim.metadata.ownerReferences?.[0]).toMatchObject({
      kind: "StatefulSet",
      uid: "s1",
    });
  });

  it("waits for each pod to be Running and Ready before the next (OrderedReady)", () => {
    const revs = [revision("nginx:1.25", 1)];
    expect(
      names(planStatefulSet(sts("nginx:1.25", 3), [pod(0, "nginx:1.25", "pending")], revs, NOW).create),
    ).toEqual([]);
    expect(names(planStatefulSet(sts("nginx:1.25", 3), [pod(0, "nginx:1.25")], revs, NOW).create)).toEqual([
      "web-1",
    ]);
  });

  it("creates every pod at once with Parallel", () => {
    const plan = planStatefulSet(sts("nginx:1.25", 3, { podManagementPolicy: "Parallel" }), [], [], NOW);
    expect(names(plan.create)).toEqual(["web-0", "web-1", "web-2"]);
  });

  it("scales down from the highest ordinal, one at a time", () => {
    const revs = [revision("nginx:1.25", 1)];
    const all = [0, 1, 2].map((i) => pod(i, "nginx:1.25"));
    expect(planStatefulSet(sts("nginx:1.25", 1), all, revs, NOW).remove).toEqual(["web-2"]);
    const draining = [pod(0, "nginx:1.25"), pod(1, "nginx:1.25"), pod(2, "nginx:1.25", "terminating")];
    expect(planStatefulSet(sts("nginx:1.25", 1), draining, revs, NOW).remove).toEqual([]);
    const parallel = sts("nginx:1.25", 1, { podManagementPolicy: "Parallel" });
    expect(planStatefulSet(parallel, all, revs, NOW).remove).toEqual(["web-2", "web-1"]);
  });

  it("rolls a new template from the highest ordinal down, each after the previous is Ready", () => {
    const old = revName("nginx:1.25");
    const revs = [revision("nginx:1.25", 1)];
    const next = sts("nginx:1.27", 3, {}, old);
    const first = planStatefulSet(
      next,
      [0, 1, 2].map((i) => pod(i, "nginx:1.25")),
      revs,
      NOW,
    );
    expect(first.revisions.create?.revision).toBe(2);
    expect(first.remove).toEqual(["web-2"]);
    expect(first.status).toMatchObject({ currentRevision: old, updateRevision: revName("nginx:1.27") });
    expect(first.status.currentReplicas).toBe(3);
    expect(first.status.updatedReplicas).toBeUndefined();

    const revs2 = [...revs, revision("nginx:1.27", 2)];
    const recreate = planStatefulSet(next, [pod(0, "nginx:1.25"), pod(1, "nginx:1.25")], revs2, NOW);
    expect(names(recreate.create)).toEqual(["web-2"]);
    expect(recreate.create[0]?.spec.containers[0]?.image).toBe("nginx:1.27");

    const waiting = [pod(0, "nginx:1.25"), pod(1, "nginx:1.25"), pod(2, "nginx:1.27", "pending")];
    expect(planStatefulSet(next, waiting, revs2, NOW).remove).toEqual([]);
    const ready = [pod(0, "nginx:1.25"), pod(1, "nginx:1.25"), pod(2, "nginx:1.27")];
    expect(planStatefulSet(next, ready, revs2, NOW).remove).toEqual(["web-1"]);

    const done = planStatefulSet(
      next,
      [0, 1, 2].map((i) => pod(i, "nginx:1.27")),
      revs2,
      NOW,
    );
    expect(done.remove).toEqual([]);
    expect(done.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 3,
      currentReplicas: 3,
      currentRevision: revName("nginx:1.27"),
      updateRevision: revName("nginx:1.27"),
    });
  });

  it("stops at the partition and recreates pods below it from the current revision", () => {
    const old = revName("nginx:1.25");
    const revs = [revision("nginx:1.25", 1), revision("nginx:1.27", 2)];
    const next = sts(
      "nginx:1.27",
      3,
      { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } },
      old,
    );
    const pods = [pod(0, "nginx:1.25"), pod(1, "nginx:1.25"), pod(2, "nginx:1.27")];
    const plan = planStatefulSet(next, pods, revs, NOW);
    expect(plan.remove).toEqual([]);
    expect(plan.status.currentRevision).toBe(old);
    const lost = planStatefulSet(next, [pod(1, "nginx:1.25"), pod(2, "nginx:1.27")], revs, NOW);
    expect(lost.create[0]?.spec.containers[0]?.image).toBe("nginx:1.25");
  });

  it("replaces a failed pod, and keeps the order while doing so", () => {
    const revs = [revision("nginx:1.25", 1)];
    const failed = { ...pod(1, "nginx:1.25"), status: { phase: "Failed" as const } };
    const plan = planStatefulSet(
      sts("nginx:1.25", 3),
      [pod(0, "nginx:1.25"), failed, pod(2, "nginx:1.25")],
      revs,
      NOW,
    );
    expect(plan.remove).toEqual(["web-1"]);
    expect(plan.create).toEqual([]);
  });

  it("waits for minReadySeconds before the next ordinal and says when to look again", () => {
    const revs = [revision("nginx:1.25", 1)];
    const plan = planStatefulSet(
      sts("nginx:1.25", 2, { minReadySeconds: 600 }),
      [pod(0, "nginx:1.25")],
      revs,
      NOW,
    );
    expect(plan.create).toEqual([]);
    expect(plan.requeueAfterMs).toBe(60_000);
  });

  it("replaces nothing by itself with OnDelete, but recreates deleted pods from the new template", () => {
    const old = revName("nginx:1.25");
    const revs = [revision("nginx:1.25", 1), revision("nginx:1.27", 2)];
    const next = sts("nginx:1.27", 2, { updateStrategy: { type: "OnDelete" } }, old);
    expect(planStatefulSet(next, [pod(0, "nginx:1.25"), pod(1, "nginx:1.25")], revs, NOW).remove).toEqual([]);
    const plan = planStatefulSet(next, [pod(1, "nginx:1.25")], revs, NOW);
    expect(plan.create[0]?.spec.containers[0]?.image).toBe("nginx:1.27");
  });
});
