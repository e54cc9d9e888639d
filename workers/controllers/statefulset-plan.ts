import { controllerRef } from "../../core/k8s/owners";
import { isTerminal, preparePod } from "../../core/k8s/pods";
import type { PersistentVolumeClaim } from "../../core/k8s/storage/types";
import type { Pod } from "../../core/k8s/types";
import {
  CONTROLLER_REVISION_HASH_LABEL,
  type ControllerRevision,
  POD_INDEX_LABEL,
  type PodTemplate,
  STATEFULSET_POD_NAME_LABEL,
  type StatefulSet,
} from "../../core/k8s/workloads/types";
import { isAvailable, isReady } from "./replicaset-plan";
import { planRevisions, type RevisionPlan, templateOf } from "./revisions";

export interface StatefulSetPlan {
  revisions: RevisionPlan;
  /** Pods to create, in ordinal order. */
  create: Pod[];
  /** Pods to delete gracefully, in the order given. */
  remove: string[];
  status: NonNullable<StatefulSet["status"]>;
  /** Look again then: a pod is ready but not yet available for minReadySeconds. */
  requeueAfterMs?: number;
}

/** The ordinal in `<set>-<ordinal>`, or -1 for a pod whose name is not one of the set's. */
export function ordinalOf(setName: string, pod: Pod): number {
  const name = pod.metadata.name ?? "";
  const m = /^(.*)-(0|[1-9]\d*)$/.exec(name);
  return m && m[1] === setName ? Number(m[2]) : -1;
}

/**
 * The claims of one ordinal's pod, `<template>-<set>-<ordinal>`, labelled with the set's selector; owned by
 * the set only when its retention policy deletes them with it (the default keeps them).
 */
export function claimsFor(
  sts: StatefulSet,
  ordinal: number,
): { template: string; claim: PersistentVolumeClaim }[] {
  const owned = sts.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete";
  return (sts.spec.volumeClaimTemplates ?? []).map((t) => {
    const template = t as PersistentVolumeClaim;
    const name = template.metadata.name ?? "";
    return {
      template: name,
      claim: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
          name: `${name}-${sts.metadata.name}-${ordinal}`,
          namespace: sts.metadata.namespace,
          labels: { ...template.metadata.labels, ...sts.spec.selector.matchLabels },
          ...(template.metadata.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
          ...(owned ? { ownerReferences: [controllerRef(sts)] } : {}),
        },
        spec: { volumeMode: "Filesystem", ...structuredClone(template.spec) },
        status: { phase: "Pending" },
      },
    };
  });
}

/** A StatefulSet's pod for one ordinal: stable name and hostname, subdomain = serviceName, its claims. */
export function statefulSetPod(
  sts: StatefulSet,
  template: PodTemplate,
  revision: string,
  ordinal: number,
): Pod {
  const name = `${sts.metadata.name}-${ordinal}`;
  const spec = structuredClone(template.spec);
  spec.hostname = name;
  const claims = claimsFor(sts, ordinal).map((c) => ({
    name: c.template,
    persistentVolumeClaim: { claimName: c.claim.metadata.name ?? "" },
  }));
  if (claims.length)
    spec.volumes = [
      ...((spec.volumes as { name: string }[] | undefined) ?? []).filter(
        (v) => !claims.some((c) => c.name === v.name),
      ),
      ...claims,
    ];
  if (sts.spec.serviceName) spec.subdomain = sts.spec.serviceName;
  return preparePod({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: sts.metadata.namespace,
      labels: {
        ...template.metadata?.labels,
        [CONTROLLER_REVISION_HASH_LABEL]: revision,
        [STATEFULSET_POD_NAME_LABEL]: name,
        [POD_INDEX_LABEL]: String(ordinal),
      },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(sts)],
    },
    spec,
  });
}

const revisionOf = (pod: Pod) => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
const terminating = (pod: Pod) => pod.metadata.deletionTimestamp !== undefined;
const running = (pod: Pod) => pod.status?.phase === "Running" && isReady(pod);

/**
 * The StatefulSet controller's decisions for one pass, after kube-controller-manager's: pods `<name>-0`
 * to `<name>-(n-1)`; with OrderedReady each is created only once all below it are Running and Ready, and
 * surplus pods go from the highest ordinal down, one at a time; Parallel does both at once. RollingUpdate
 * replaces pods not at the update revision from the highest ordinal down to `partition`, each once the
 * previous one is Ready; OnDelete only gives replaced pods the new template. `pods` are the pods the set
 * controls, `revisions` its ControllerRevisions. Pure.
 */
export function planStatefulSet(
  sts: StatefulSet,
  pods: Pod[],
  revisions: ControllerRevision[],
  now: Date,
): StatefulSetPlan {
  const replicas = sts.spec.replicas ?? 1;
  const start = sts.spec.ordinals?.start ?? 0;
  const minReady = sts.spec.minReadySeconds ?? 0;
  const monotonic = sts.spec.podManagementPolicy !== "Parallel";
  const rolling = (sts.spec.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
  const partition = rolling ? (sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;

  const inUse = new Set(pods.map(revisionOf).filter((r): r is string => !!r));
  if (sts.status?.currentRevision) inUse.add(sts.status.currentRevision);
  const plan = planRevisions(sts, revisions, inUse, sts.spec.revisionHistoryLimit ?? 10);
  const update = plan.update;
  const current = revisions.find((r) => r.metadata.name === sts.status?.currentRevision) ?? update;
  const updateName = update.metadata.name ?? "";
  const currentName = current.metadata.name ?? "";

  const byOrdinal = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const pod of pods) {
    const ord = ordinalOf(sts.metadata.name ?? "", pod);
    if (ord >= start && ord < start + replicas) byOrdinal.set(ord, pod);
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(sts.metadata.name ?? "", b) - ordinalOf(sts.metadata.name ?? "", a));

  const available = (pod: Pod) => running(pod) && isAvailable(pod, minReady, now);
  let requeueAfterMs: number | undefined;
  const healthy = (pod: Pod) => {
    if (terminating(pod) || !running(pod)) return false;
    if (available(pod)) return true;
    const since = pod.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime;
    const wait = Date.parse(since ?? "") + minReady * 1000 - now.getTime();
    requeueAfterMs = Math.min(requeueAfterMs ?? Number.POSITIVE_INFINITY, Math.max(wait, 1000));
    return false;
  };

  const create: Pod[] = [];
  const remove: string[] = [];
  const newPod = (ord: number) => {
    const rev = rolling && ord - start < partition ? current : update;
    return statefulSetPod(sts, templateOf(rev), rev.metadata.name ?? "", ord);
  };

  let blocked = false;
  for (let ord = start; ord < start + replicas && !blocked; ord++) {
    const pod = byOrdinal.get(ord);
    if (!pod) {
      create.push(newPod(ord));
      blocked = monotonic;
    } else if (isTerminal(pod) && !terminating(pod)) {
      remove.push(pod.metadata.name ?? "");
      blocked = monotonic;
    } else if (!healthy(pod)) {
      blocked = monotonic;
    }
  }

  if (!blocked) {
    for (const pod of condemned) {
      if (terminating(pod)) {
        if (monotonic) {
          blocked = true;
          break;
        }
        continue;
      }
      remove.push(pod.metadata.name ?? "");
      if (monotonic) {
        blocked = true;
        break;
      }
    }
  }

  if (!blocked && rolling) {
    for (let ord = start + replicas - 1; ord >= start + partition; ord--) {
      const pod = byOrdinal.get(ord);
      if (!pod || remove.includes(pod.metadata.name ?? "")) break;
      if (revisionOf(pod) !== updateName && !terminating(pod)) {
        remove.push(pod.metadata.name ?? "");
        break;
      }
      if (!healthy(pod)) break;
    }
  }

  const created = pods.filter((p) => p.status?.phase !== undefined);
  const live = created.filter((p) => !terminating(p));
  const count = (pred: (p: Pod) => boolean, of = created) => of.filter(pred).length;
  const status: NonNullable<StatefulSet["status"]> = {
    observedGeneration: sts.metadata.generation ?? 1,
    replicas: created.length,
    readyReplicas: count(running),
    currentReplicas: count((p) => revisionOf(p) === currentName, live),
    updatedReplicas: count((p) => revisionOf(p) === updateName, live),
    availableReplicas: count(available),
    currentRevision: currentName,
    updateRevision: updateName,
    collisionCount: 0,
  };
  if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentRevision = updateName;
    status.currentReplicas = status.updatedReplicas;
  }
  for (const field of ["readyReplicas", "currentReplicas", "updatedReplicas"] as const) {
    if (status[field] === 0) delete status[field];
  }
  return {
    revisions: plan,
    create,
    remove,
    status,
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
  };
}
