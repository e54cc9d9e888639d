import type { KubeObject, Pod } from "../../../core/k8s/types";
import { APPS_PRINTERS } from "./apps";
import { AGE, column, NAME, type Printer } from "./columns";
import { humanDuration, since } from "./duration";
import { NETWORK_PRINTERS } from "./network";
import { POD_COLUMNS, podRow } from "./pods";
import { POLICY_PRINTERS } from "./policy";
import { RBAC_PRINTERS } from "./rbac";
import { SCHEDULING_PRINTERS } from "./scheduling";
import { STORAGE_PRINTERS } from "./storage";

type Obj = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : "");

function nodeStatus(obj: KubeObject): string {
  const conditions =
    ((obj.status as Obj | undefined)?.conditions as { type: string; status: string }[]) ?? [];
  const ready = conditions.find((c) => c.type === "Ready");
  // as kube's printer: NotReady for False and Unknown alike, Unknown only for a node with no Ready condition
  const base = ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown";
  return (obj.spec as Obj | undefined)?.unschedulable ? `${base},SchedulingDisabled` : base;
}

function nodeRoles(obj: KubeObject): string {
  const roles = Object.keys(obj.metadata.labels ?? {})
    .filter((k) => k.startsWith("node-role.kubernetes.io/"))
    .map((k) => k.slice("node-role.kubernetes.io/".length));
  return roles.length ? roles.sort().join(",") : "<none>";
}

function address(obj: KubeObject, type: string): string {
  const list = ((obj.status as Obj | undefined)?.addresses as { type: string; address: string }[]) ?? [];
  return list.find((a) => a.type === type)?.address ?? "<none>";
}

const PRINTERS: Record<string, Printer> = {
  ...NETWORK_PRINTERS,
  ...APPS_PRINTERS,
  ...SCHEDULING_PRINTERS,
  ...STORAGE_PRINTERS,
  ...RBAC_PRINTERS,
  ...POLICY_PRINTERS,
  Pod: { columns: POD_COLUMNS, row: (o, now) => podRow(o as Pod, now) },
  Node: {
    columns: [
      NAME,
      column("Status", "The status of the node"),
      column("Roles", "The roles of the node"),
      AGE,
      column("Version", "Kubelet Version reported by the node."),
      column("Internal-IP", "List of addresses reachable to the node.", { priority: 1 }),
      column("External-IP", "List of addresses reachable to the node.", { priority: 1 }),
      column(
        "OS-Image",
        "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
        {
          priority: 1,
        },
      ),
      column(
        "Kernel-Version",
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        {
          priority: 1,
        },
      ),
      column(
        "Container-Runtime",
        "ContainerRuntime Version reported by the node through runtime remote API.",
        {
          priority: 1,
        },
      ),
    ],
    row: (o, now) => {
      const info = ((o.status as Obj | undefined)?.nodeInfo as Obj | undefined) ?? {};
      return [
        o.metadata.name,
        nodeStatus(o),
        nodeRoles(o),
        since(o.metadata.creationTimestamp, now),
        str(info.kubeletVersion),
        address(o, "InternalIP"),
        address(o, "ExternalIP"),
        str(info.osImage) || "<unknown>",
        str(info.kernelVersion) || "<unknown>",
        str(info.containerRuntimeVersion) || "<unknown>",
      ];
    },
  },
  Namespace: {
    columns: [NAME, column("Status", "The status of the namespace"), AGE],
    row: (o, now) => [
      o.metadata.name,
      str((o.status as Obj | undefined)?.phase),
      since(o.metadata.creationTimestamp, now),
    ],
  },
  ConfigMap: {
    columns: [NAME, column("Data", "Data contains the configuration data.", { type: "integer" }), AGE],
    row: (o, now) => [
      o.metadata.name,
      Object.keys((o.data as Obj | undefined) ?? {}).length +
        Object.keys((o.binaryData as Obj | undefined) ?? {}).length,
      since(o.metadata.creationTimestamp, now),
    ],
  },
  Secret: {
    columns: [
      NAME,
      column("Type", "The type of the secret"),
      column("Data", "The number of entries in the secret", { type: "integer" }),
      AGE,
    ],
    row: (o, now) => [
      o.metadata.name,
      str(o.type) || "Opaque",
      Object.keys((o.data as Obj | undefined) ?? {}).length,
      since(o.metadata.creationTimestamp, now),
    ],
  },
  CustomResourceDefinition: {
    columns: [NAME, column("Created At", AGE.description, { type: "date" })],
    row: (o) => [o.metadata.name, o.metadata.creationTimestamp],
  },
  ServiceAccount: {
    columns: [
      NAME,
      column("Secrets", "Secrets is a list of the secrets in the same namespace.", { type: "integer" }),
      AGE,
    ],
    row: (o, now) => [
      o.metadata.name,
      ((o.secrets as unknown[]) ?? []).length,
      since(o.metadata.creationTimestamp, now),
    ],
  },
  Event: {
    columns: [
      column("Last Seen", "Time when this Event was last seen"),
      column("Type", "Type of this event (Normal, Warning), new types could be added in the future."),
      column(
        "Reason",
        "This should be a short, machine understandable string that gives the reason for this event being generated.",
      ),
      column("Object", "The object that this event is about."),
      column("Subobject", "The subobject that this event is about.", { priority: 1 }),
      column(
        "Source",
        "The component reporting this event. Should be a short machine understandable string.",
        {
          priority: 1,
        },
      ),
      column("Message", "A human-readable description of the status of this operation."),
      column("First Seen", "The time at which the event was first recorded.", { priority: 1 }),
      column("Count", "The number of times this event has occurred.", { priority: 1, type: "integer" }),
      column("Name", "Name of the event", { priority: 1 }),
    ],
    row: (o, now) => {
      const involved = (o.involvedObject as Obj | undefined) ?? {};
      const source = (o.source as Obj | undefined) ?? {};
      const last = str(o.lastTimestamp) || str(o.eventTime) || o.metadata.creationTimestamp;
      return [
        since(last, now),
        str(o.type),
        str(o.reason),
        `${str(involved.kind).toLowerCase()}/${str(involved.name)}`,
        str(involved.fieldPath),
        [str(source.component), str(source.host)].filter(Boolean).join(", "),
        str(o.message).trim(),
        since(str(o.firstTimestamp) || last, now),
        (o.count as number | undefined) ?? 1,
        o.metadata.name,
      ];
    },
  },
};

function workloadExtras(o: KubeObject): unknown[] {
  const spec = o.spec as {
    template?: { spec?: { containers?: { name: string; image?: string }[] } };
    selector?: { matchLabels?: Record<string, string> };
  };
  const containers = spec.template?.spec?.containers ?? [];
  const selector = Object.entries(spec.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return [
    containers.map((c) => c.name).join(","),
    containers.map((c) => c.image ?? "").join(","),
    selector || "<none>",
  ];
}

const WORKLOAD_WIDE = [
  column("Containers", "Names of each container in the template.", { priority: 1 }),
  column("Images", "Images referenced by each container in the template.", { priority: 1 }),
  column(
    "Selector",
    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
    { priority: 1 },
  ),
];

PRINTERS.Deployment = {
  columns: [
    NAME,
    column("Ready", "Number of the pod with ready state"),
    column(
      "Up-to-date",
      "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
      { type: "integer" },
    ),
    column(
      "Available",
      "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
      { type: "integer" },
    ),
    AGE,
    ...WORKLOAD_WIDE,
  ],
  row: (o, now) => {
    const status = (o.status as Obj | undefined) ?? {};
    const desired = ((o.spec as Obj | undefined)?.replicas as number | undefined) ?? 0;
    return [
      o.metadata.name,
      `${(status.readyReplicas as number | undefined) ?? 0}/${desired}`,
      (status.updatedReplicas as number | undefined) ?? 0,
      (status.availableReplicas as number | undefined) ?? 0,
      since(o.metadata.creationTimestamp, now),
      ...workloadExtras(o),
    ];
  },
};

PRINTERS.ReplicaSet = {
  columns: [
    NAME,
    column(
      "Desired",
      "Number of desired pods. This is a pointer to distinguish between explicit zero and unspecified.",
      { type: "integer" },
    ),
    column("Current", "Replicas is the most recently observed number of replicas.", { type: "integer" }),
    column("Ready", "The number of ready replicas for this replica set.", { type: "integer" }),
    AGE,
    ...WORKLOAD_WIDE,
  ],
  row: (o, now) => {
    const status = (o.status as Obj | undefined) ?? {};
    return [
      o.metadata.name,
      ((o.spec as Obj | undefined)?.replicas as number | undefined) ?? 0,
      (status.replicas as number | undefined) ?? 0,
      (status.readyReplicas as number | undefined) ?? 0,
      since(o.metadata.creationTimestamp, now),
      ...workloadExtras(o),
    ];
  },
};

function jobStatus(o: KubeObject): string {
  const conditions = ((o.status as Obj | undefined)?.conditions as { type: string; status: string }[]) ?? [];
  const has = (type: string) => conditions.some((c) => c.type === type && c.status === "True");
  if (has("Complete")) return "Complete";
  if (has("Failed")) return "Failed";
  if ((o.metadata as { deletionTimestamp?: string }).deletionTimestamp) return "Terminating";
  if (has("Suspended")) return "Suspended";
  if (has("FailureTarget")) return "FailureTarget";
  return "Running";
}

PRINTERS.Job = {
  columns: [
    NAME,
    column("Status", "Status of the job."),
    column("Completions", "The desired number of successfully finished pods the job should be run with."),
    column("Duration", "Time required to complete the job."),
    AGE,
    ...WORKLOAD_WIDE,
  ],
  row: (o, now) => {
    const spec = (o.spec as Obj | undefined) ?? {};
    const status = (o.status as Obj | undefined) ?? {};
    const succeeded = (status.succeeded as number | undefined) ?? 0;
    const completions =
      spec.completions !== undefined
        ? `${succeeded}/${spec.completions}`
        : `${succeeded}/1 of ${spec.parallelism ?? 1}`;
    const start = status.startTime as string | undefined;
    const end = (status.completionTime as string | undefined) ?? undefined;
    const duration = start ? humanDuration((end ? Date.parse(end) : now.getTime()) - Date.parse(start)) : "";
    return [
      o.metadata.name,
      jobStatus(o),
      completions,
      duration,
      since(o.metadata.creationTimestamp, now),
      ...workloadExtras(o),
    ];
  },
};

PRINTERS.CronJob = {
  columns: [
    NAME,
    column("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    column(
      "Timezone",
      "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
    ),
    column("Suspend", "This flag tells the controller to suspend subsequent executions.", {
      type: "boolean",
    }),
    column("Active", "A list of pointers to currently running jobs.", { type: "integer" }),
    column("Last Schedule", "Information when was the last time the job was successfully scheduled."),
    AGE,
    ...WORKLOAD_WIDE,
  ],
  row: (o, now) => {
    const spec = (o.spec as Obj | undefined) ?? {};
    const status = (o.status as Obj | undefined) ?? {};
    const template = ((spec.jobTemplate as Obj | undefined)?.spec ?? {}) as Obj;
    return [
      o.metadata.name,
      str(spec.schedule),
      str(spec.timeZone) || "<none>",
      spec.suspend === true ? "True" : "False",
      ((status.active as unknown[]) ?? []).length,
      status.lastScheduleTime ? since(status.lastScheduleTime as string, now) : "<none>",
      since(o.metadata.creationTimestamp, now),
      ...workloadExtras({ ...o, spec: template }),
    ];
  },
};

const DEFAULT: Printer = {
  columns: [NAME, AGE],
  row: (o, now) => [o.metadata.name, since(o.metadata.creationTimestamp, now)],
};

export type IncludeObject = "None" | "Metadata" | "Object";

/** Server-side printing: the meta.k8s.io/v1 Table kubectl asks for with `as=Table`. */
export function toTable(
  kind: string,
  objects: KubeObject[],
  options: {
    now: Date;
    includeObject: IncludeObject;
    listMeta: { resourceVersion?: string | undefined; continue?: string };
  },
  custom?: Printer,
) {
  const printer = custom ?? PRINTERS[kind] ?? DEFAULT;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: {
      ...(options.listMeta.resourceVersion ? { resourceVersion: options.listMeta.resourceVersion } : {}),
      ...(options.listMeta.continue ? { continue: options.listMeta.continue } : {}),
    },
    columnDefinitions: printer.columns,
    rows: objects.map((o) => ({
      cells: printer.row(o, options.now),
      object:
        options.includeObject === "Object"
          ? o
          : options.includeObject === "Metadata"
            ? { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata }
            : null,
    })),
  };
}
