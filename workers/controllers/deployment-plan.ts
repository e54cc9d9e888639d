import { createHash } from "node:crypto";
import { resolveIntOrPercent } from "../../core/k8s/int-or-percent";
import { controllerRef } from "../../core/k8s/owners";
import type {
  Deployment,
  DeploymentCondition,
  PodTemplate,
  ReplicaSet,
} from "../../core/k8s/workloads/types";
import { REVISION_ANNOTATION, TEMPLATE_HASH_LABEL } from "../../core/k8s/workloads/types";

const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** A short hash of the pod template in Kubernetes' safe alphabet: the new ReplicaSet's name suffix. */
export function templateHash(template: PodTemplate): string {
  const digest = createHash("sha256").update(JSON.stringify(template)).digest();
  let out = "";
  for (let i = 0; i < 10; i++) out += SAFE_ALPHABET[(digest[i] ?? 0) % SAFE_ALPHABET.length];
  return out;
}

export function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0);
}

export interface DeploymentPlan {
  /** A ReplicaSet to create for the current template, when none exists. */
  createReplicaSet?: ReplicaSet;
  /** New spec.replicas (and revision annotation) per existing ReplicaSet name. */
  scale: { name: string; replicas: number; revision?: number }[];
  /** Old, empty ReplicaSets beyond revisionHistoryLimit. */
  remove: string[];
  status: NonNullable<Deployment["status"]>;
  revision: number;
  /** When to look again: the progress deadline of a rollout still under way. */
  recheckAfterMs?: number;
}

function replicasOf(rs: ReplicaSet): number {
  return rs.spec.replicas ?? 0;
}

function condition(
  previous: DeploymentCondition[] | undefined,
  type: string,
  status: DeploymentCondition["status"],
  reason: string,
  message: string,
  stamp: string,
): DeploymentCondition {
  const before = previous?.find((c) => c.type === type);
  const same = before?.status === status;
  return {
    type,
    status,
    lastUpdateTime: same && before?.reason === reason ? before.lastUpdateTime : stamp,
    lastTransitionTime: same ? (before?.lastTransitionTime ?? stamp) : stamp,
    reason,
    message,
  };
}

/**
 * The Deployment controller's decisions for one pass: make sure a ReplicaSet exists for the current
 * template, move replicas from old to new within maxSurge/maxUnavailable (or all at once for Recreate),
 * and report status. Level-triggered: call again whenever anything changed. Pure.
 */
export function planDeployment(d: Deployment, owned: ReplicaSet[], now: Date): DeploymentPlan {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const desired = d.spec.replicas ?? 1;
  const hash = templateHash(d.spec.template);
  const maxRevision = owned.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
  const current = owned.find((rs) => rs.metadata.labels?.[TEMPLATE_HASH_LABEL] === hash);
  const old = owned.filter((rs) => rs !== current);
  const scale = new Map<string, { replicas: number; revision?: number }>();
  let createReplicaSet: ReplicaSet | undefined;
  const recreate = d.spec.strategy?.type === "Recreate";
  const maxSurge = resolveIntOrPercent(d.spec.strategy?.rollingUpdate?.maxSurge ?? "25%", desired, true);
  let maxUnavailable = resolveIntOrPercent(
    d.spec.strategy?.rollingUpdate?.maxUnavailable ?? "25%",
    desired,
    false,
  );
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  const oldTotal = old.reduce((n, rs) => n + replicasOf(rs), 0);
  const oldPods = old.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);

  let revision = current ? revisionOf(current) : maxRevision + 1;
  if (current && revision < maxRevision) revision = maxRevision + 1; // a rollback makes an old template current again

  if (!d.spec.paused) {
    let newReplicas: number;
    const currentReplicas = current ? replicasOf(current) : 0;
    if (recreate) {
      for (const rs of old) if (replicasOf(rs) > 0) scale.set(rs.metadata.name ?? "", { replicas: 0 });
      newReplicas = oldTotal === 0 && oldPods === 0 ? desired : currentReplicas;
    } else if (currentReplicas > desired) {
      newReplicas = desired;
    } else {
      const room = desired + maxSurge - (oldTotal + currentReplicas);
      newReplicas = currentReplicas + Math.max(0, Math.min(room, desired - currentReplicas));
      // scale old ReplicaSets down while keeping desired - maxUnavailable available
      const minAvailable = desired - maxUnavailable;
      const newUnavailable = Math.max(0, currentReplicas - (current?.status?.availableReplicas ?? 0));
      let budget = oldTotal + currentReplicas - minAvailable - newUnavailable;
      const oldestFirst = [...old].sort((a, b) => revisionOf(a) - revisionOf(b));
      for (const rs of oldestFirst) {
        const unhealthy = Math.max(0, replicasOf(rs) - (rs.status?.availableReplicas ?? 0));
        const cut = Math.min(unhealthy, Math.max(0, budget));
        if (cut > 0) {
          scale.set(rs.metadata.name ?? "", { replicas: replicasOf(rs) - cut });
          budget -= cut;
        }
      }
      const available = owned.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
      let down = Math.max(0, available - minAvailable);
      for (const rs of oldestFirst) {
        const now = scale.get(rs.metadata.name ?? "")?.replicas ?? replicasOf(rs);
        const cut = Math.min(now, down);
        if (cut > 0) {
          scale.set(rs.metadata.name ?? "", { replicas: now - cut });
          down -= cut;
        }
      }
    }
    if (!current) {
      const labels = { ...d.spec.template.metadata?.labels, [TEMPLATE_HASH_LABEL]: hash };
      createReplicaSet = {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: d.metadata.namespace,
          labels,
          annotations: {
            [REVISION_ANNOTATION]: String(revision),
            "deployment.kubernetes.io/desired-replicas": String(desired),
            "deployment.kubernetes.io/max-replicas": String(desired + maxSurge),
          },
          ownerReferences: [controllerRef(d)],
        },
        spec: {
          replicas: newReplicas,
          minReadySeconds: d.spec.minReadySeconds ?? 0,
          selector: {
            ...d.spec.selector,
            matchLabels: { ...d.spec.selector.matchLabels, [TEMPLATE_HASH_LABEL]: hash },
          },
          template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels } },
        },
      };
    } else if (newReplicas !== currentReplicas || revisionOf(current) !== revision) {
      scale.set(current.metadata.name ?? "", { replicas: newReplicas, revision });
    }
  }

  const limit = d.spec.revisionHistoryLimit ?? 10;
  const empty = old
    .filter(
      (rs) => replicasOf(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !scale.has(rs.metadata.name ?? ""),
    )
    .sort((a, b) => revisionOf(a) - revisionOf(b));
  const remove = empty.slice(0, Math.max(0, empty.length - limit)).map((rs) => rs.metadata.name ?? "");

  const sum = (f: (rs: ReplicaSet) => number) => owned.reduce((n, rs) => n + f(rs), 0);
  const replicas = sum((rs) => rs.status?.replicas ?? 0);
  const updated = current?.status?.replicas ?? 0;
  const available = sum((rs) => rs.status?.availableReplicas ?? 0);
  const name = current?.metadata.name ?? createReplicaSet?.metadata.name ?? "";
  const complete = updated === desired && replicas === desired && available === desired;
  const previous = d.status?.conditions;
  const progressed =
    createReplicaSet !== undefined ||
    scale.size > 0 ||
    d.status?.updatedReplicas !== updated ||
    d.status?.availableReplicas !== available ||
    d.status?.replicas !== replicas;
  const progress = progressCondition(d, previous, name, progressed, now);
  const conditions = [
    available >= desired - maxUnavailable
      ? condition(
          previous,
          "Available",
          "True",
          "MinimumReplicasAvailable",
          "Deployment has minimum availability.",
          stamp,
        )
      : condition(
          previous,
          "Available",
          "False",
          "MinimumReplicasUnavailable",
          "Deployment does not have minimum availability.",
          stamp,
        ),
    complete
      ? condition(
          previous,
          "Progressing",
          "True",
          "NewReplicaSetAvailable",
          `ReplicaSet "${name}" has successfully progressed.`,
          stamp,
        )
      : progress.condition,
    ...(current?.status?.conditions ?? [])
      .filter((c) => c.type === "ReplicaFailure" && c.status === "True")
      .map((c) => condition(previous, "ReplicaFailure", "True", c.reason, c.message, stamp)),
  ];
  return {
    ...(createReplicaSet ? { createReplicaSet } : {}),
    scale: [...scale].map(([n, s]) => ({ name: n, ...s })),
    remove,
    revision,
    status: {
      observedGeneration: d.metadata.generation ?? 1,
      replicas,
      updatedReplicas: updated,
      readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
      conditions,
    },
    ...(progress.recheckAfterMs !== undefined && !complete
      ? { recheckAfterMs: progress.recheckAfterMs }
      : {}),
  };
}

/**
 * Progressing while a rollout is under way: True as long as something moved within
 * progressDeadlineSeconds, then False with ProgressDeadlineExceeded (which `kubectl rollout status`
 * reports as a failure); Unknown while paused.
 */
function progressCondition(
  d: Deployment,
  previous: DeploymentCondition[] | undefined,
  name: string,
  progressed: boolean,
  now: Date,
): { condition: DeploymentCondition; recheckAfterMs?: number } {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const before = previous?.find((c) => c.type === "Progressing");
  if (d.spec.paused)
    return {
      condition: condition(
        previous,
        "Progressing",
        "Unknown",
        "DeploymentPaused",
        "Deployment is paused",
        stamp,
      ),
    };
  const fresh =
    progressed ||
    !before ||
    before.reason === "NewReplicaSetAvailable" ||
    before.reason === "DeploymentPaused";
  const lastProgress = fresh ? stamp : (before?.lastUpdateTime ?? stamp);
  const deadlineMs = (d.spec.progressDeadlineSeconds ?? 600) * 1000;
  const left = deadlineMs - (now.getTime() - Date.parse(lastProgress));
  if (!fresh && (before?.reason === "ProgressDeadlineExceeded" || left <= 0))
    return {
      condition: condition(
        previous,
        "Progressing",
        "False",
        "ProgressDeadlineExceeded",
        `ReplicaSet "${name}" has timed out progressing.`,
        stamp,
      ),
    };
  return {
    condition: {
      type: "Progressing",
      status: "True",
      lastUpdateTime: lastProgress,
      lastTransitionTime: before?.status === "True" ? (before.lastTransitionTime ?? stamp) : stamp,
      reason: "ReplicaSetUpdated",
      message: `ReplicaSet "${name}" is progressing.`,
    },
    recheckAfterMs: Math.max(left, 0) + 500,
  };
}
