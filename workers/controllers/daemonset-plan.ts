import { resolveIntOrPercent } from "../../core/k8s/int-or-percent";
import { controllerRef, generateName } from "../../core/k8s/owners";
import { isTerminal, preparePod } from "../../core/k8s/pods";
import type { Pod } from "../../core/k8s/types";
import {
  CONTROLLER_REVISION_HASH_LABEL,
  type ControllerRevision,
  DAEMONSET_TEMPLATE_GENERATION_ANNOTATION,
  DAEMONSET_TEMPLATE_GENERATION_LABEL,
  type DaemonSet,
} from "../../core/k8s/workloads/types";
import { type NodeInfo, nodeShouldRun, type Toleration } from "./node-eligibility";
import { isAvailable, isReady } from "./replicaset-plan";
import { planRevisions, type RevisionPlan } from "./revisions";

/** What the DaemonSet controller adds so its pods stay on nodes that are unhealthy or cordoned. */
const DAEMON_TOLERATIONS: Toleration[] = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
];

export interface DaemonSetPlan {
  revisions: RevisionPlan;
  create: Pod[];
  /** Pods to delete gracefully. */
  remove: string[];
  status: NonNullable<DaemonSet["status"]>;
}

/** The pod spec the DaemonSet's template gives every node, with the controller's tolerations added. */
function withDaemonTolerations(spec: Pod["spec"]): Pod["spec"] {
  const out = structuredClone(spec);
  const tolerations = [...((out.tolerations as Toleration[] | undefined) ?? [])];
  for (const t of DAEMON_TOLERATIONS) {
    if (!tolerations.some((x) => x.key === t.key && x.effect === t.effect)) tolerations.push(t);
  }
  out.tolerations = tolerations;
  return out;
}

/** A daemon pod bound to its node: nodeName set, and the node affinity kube's controller writes. */
export function daemonPod(ds: DaemonSet, node: string, hash: string): Pod {
  const template = ds.spec.template;
  const spec = withDaemonTolerations(template.spec);
  const affinity = (spec.affinity as Record<string, Record<string, unknown>> | undefined) ?? {};
  spec.affinity = {
    ...affinity,
    nodeAffinity: {
      ...affinity.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }],
      },
    },
  };
  spec.nodeName = node;
  const prefix = `${ds.metadata.name}-`;
  return preparePod({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: generateName(prefix),
      generateName: prefix,
      namespace: ds.metadata.namespace,
      labels: {
        ...template.metadata?.labels,
        [CONTROLLER_REVISION_HASH_LABEL]: hash,
        [DAEMONSET_TEMPLATE_GENERATION_LABEL]:
          ds.metadata.annotations?.[DAEMONSET_TEMPLATE_GENERATION_ANNOTATION] ?? "1",
      },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(ds)],
    },
    spec,
  });
}

function nodeOf(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = (
    pod.spec.affinity as
      | {
          nodeAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: {
              nodeSelectorTerms?: { matchFields?: { key: string; values?: string[] }[] }[];
            };
          };
        }
      | undefined
  )?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return terms?.[0]?.matchFields?.find((f) => f.key === "metadata.name")?.values?.[0];
}

const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? "1970-01-01T00:00:00Z");
const terminating = (p: Pod) => p.metadata.deletionTimestamp !== undefined;

/**
 * The DaemonSet controller's decisions for one pass: one pod on every node it should run on (nodeSelector,
 * required node affinity, taints), none elsewhere; failed pods replaced; with RollingUpdate, pods of an
 * older template deleted while at most maxUnavailable nodes lack an available pod (a node's new pod is
 * created once its old one is gone: maxSurge is treated as 0). `pods` are the pods the set controls. Pure.
 */
export function planDaemonSet(
  ds: DaemonSet,
  nodes: NodeInfo[],
  pods: Pod[],
  revisions: ControllerRevision[],
  now: Date,
): DaemonSetPlan {
  const minReady = ds.spec.minReadySeconds ?? 0;
  const inUse = new Set(
    pods
      .map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL])
      .filter((h): h is string => !!h)
      .map((h) => `${ds.metadata.name}-${h}`),
  );
  const plan = planRevisions(ds, revisions, inUse, ds.spec.revisionHistoryLimit ?? 10);
  const hash = plan.update.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? "";
  const isUpdated = (p: Pod) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
  const available = (p: Pod) => p.status?.phase === "Running" && isAvailable(p, minReady, now);

  const byNode = new Map<string, Pod[]>();
  const remove: string[] = [];
  for (const pod of [...pods].sort((a, b) => created(a) - created(b))) {
    const node = nodeOf(pod);
    if (node && nodes.some((n) => n.name === node)) byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    else if (!terminating(pod)) remove.push(pod.metadata.name ?? "");
  }

  const create: Pod[] = [];
  const eligible = nodes.filter((n) => nodeShouldRun(withDaemonTolerations(ds.spec.template.spec), n));
  const status = {
    desiredNumberScheduled: eligible.length,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    numberAvailable: 0,
    updatedNumberScheduled: 0,
  };
  for (const node of nodes) {
    const here = byNode.get(node.name) ?? [];
    const should = eligible.includes(node);
    if (!should) {
      if (here.length) status.numberMisscheduled++;
      for (const p of here) if (!terminating(p)) remove.push(p.metadata.name ?? "");
      continue;
    }
    if (here.length === 0) {
      create.push(daemonPod(ds, node.name, hash));
      continue;
    }
    status.currentNumberScheduled++;
    const first = here[0] as Pod;
    if (isReady(first)) status.numberReady++;
    if (available(first)) status.numberAvailable++;
    if (isUpdated(first)) status.updatedNumberScheduled++;
    const alive = here.filter((p) => !terminating(p));
    for (const p of alive.filter(isTerminal)) remove.push(p.metadata.name ?? "");
    const running = alive.filter((p) => !isTerminal(p));
    for (const p of running.slice(1)) remove.push(p.metadata.name ?? "");
  }

  if ((ds.spec.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate") {
    const desired = eligible.length;
    let maxUnavailable = resolveIntOrPercent(
      ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1,
      desired,
      true,
    );
    if (maxUnavailable === 0) maxUnavailable = 1;
    let unavailable = 0;
    const candidates: Pod[] = [];
    for (const node of eligible) {
      const alive = (byNode.get(node.name) ?? []).filter((p) => !terminating(p) && !isTerminal(p));
      const fresh = alive.find(isUpdated);
      const old = alive.find((p) => !isUpdated(p));
      if ((fresh && old) || (!fresh && !old)) unavailable++;
      else if (fresh) {
        if (!available(fresh)) unavailable++;
      } else if (old && !available(old)) remove.push(old.metadata.name ?? "");
      else if (old) candidates.push(old);
    }
    for (const old of candidates.slice(0, Math.max(0, maxUnavailable - unavailable))) {
      remove.push(old.metadata.name ?? "");
    }
  }

  return {
    revisions: plan,
    create,
    remove: [...new Set(remove)],
    status: {
      ...status,
      observedGeneration: ds.metadata.generation ?? 1,
      ...(status.desiredNumberScheduled > status.numberAvailable
        ? { numberUnavailable: status.desiredNumberScheduled - status.numberAvailable }
        : {}),
    },
  };
}
