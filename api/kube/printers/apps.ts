import type { StructuredLabelSelector } from "../../../core/k8s/selectors";
import type { KubeObject } from "../../../core/k8s/types";
import type { ControllerRevision, DaemonSet, StatefulSet } from "../../../core/k8s/workloads/types";
import { AGE, column, NAME, type Printer } from "./columns";
import { since } from "./duration";

const CONTAINERS = column("Containers", "Names of each container in the template.", { priority: 1 });
const IMAGES = column("Images", "Images referenced by each container in the template.", { priority: 1 });

function containerCells(template: { spec?: { containers?: { name: string; image?: string }[] } }) {
  const containers = template.spec?.containers ?? [];
  return [containers.map((c) => c.name).join(","), containers.map((c) => c.image ?? "").join(",")];
}

/** metav1.FormatLabelSelector: `k=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`, or `<none>`. */
export function formatSelector(selector: StructuredLabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(",") : "<none>";
}

const daemonsetDoc = "More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/";

/** kube-apiserver's columns for StatefulSets, DaemonSets and ControllerRevisions. */
export const APPS_PRINTERS: Record<string, Printer> = {
  StatefulSet: {
    columns: [NAME, column("Ready", "Number of the pod with ready state"), AGE, CONTAINERS, IMAGES],
    row: (o, now) => {
      const sts = o as StatefulSet;
      return [
        o.metadata.name,
        `${sts.status?.readyReplicas ?? 0}/${sts.spec.replicas ?? 1}`,
        since(o.metadata.creationTimestamp, now),
        ...containerCells(sts.spec.template ?? {}),
      ];
    },
  },
  DaemonSet: {
    columns: [
      NAME,
      column(
        "Desired",
        `The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). ${daemonsetDoc}`,
        { type: "integer" },
      ),
      column(
        "Current",
        `The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. ${daemonsetDoc}`,
        { type: "integer" },
      ),
      column(
        "Ready",
        "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
        { type: "integer" },
      ),
      column("Up-to-date", "The total number of nodes that are running updated daemon pod", {
        type: "integer",
      }),
      column(
        "Available",
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
        { type: "integer" },
      ),
      column(
        "Node Selector",
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
      ),
      AGE,
      CONTAINERS,
      IMAGES,
      column(
        "Selector",
        "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
        { priority: 1 },
      ),
    ],
    row: (o, now) => {
      const ds = o as DaemonSet;
      const status = ds.status;
      return [
        o.metadata.name,
        status?.desiredNumberScheduled ?? 0,
        status?.currentNumberScheduled ?? 0,
        status?.numberReady ?? 0,
        status?.updatedNumberScheduled ?? 0,
        status?.numberAvailable ?? 0,
        formatSelector({ matchLabels: ds.spec.template?.spec?.nodeSelector ?? {} }),
        since(o.metadata.creationTimestamp, now),
        ...containerCells(ds.spec.template ?? {}),
        formatSelector(ds.spec.selector),
      ];
    },
  },
  ControllerRevision: {
    columns: [
      NAME,
      column("Controller", "Controller of the object"),
      column("Revision", "Revision indicates the revision of the state represented by Data."),
      AGE,
    ],
    row: (o: KubeObject, now) => {
      const owner = o.metadata.ownerReferences?.find((r) => r.controller);
      const group = owner?.apiVersion.includes("/") ? `.${owner.apiVersion.split("/")[0]}` : "";
      return [
        o.metadata.name,
        owner ? `${owner.kind.toLowerCase()}${group}/${owner.name}` : "<none>",
        (o as ControllerRevision).revision,
        since(o.metadata.creationTimestamp, now),
      ];
    },
  },
};
