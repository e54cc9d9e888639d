import { defaultPod } from "../defaults/pod";
import { kubeErrors } from "../errors";
import { enforcePodSecurity } from "../pod-security";
import type { KubeObject, Pod } from "../types";
import { invalidError } from "../validation/field-errors";
import { validateObjectMeta } from "../validation/meta";
import type { Deployment, ReplicaSet } from "../workloads/types";
import { validateWorkload } from "../workloads/validation";
import { asNewWorkload, bumpGeneration } from "./generic";
import type { Strategy, StrategyContext } from "./strategy";

function defaultTemplate(spec: { template?: { spec?: Pod["spec"] } }): void {
  if (spec.template?.spec) {
    const pod = defaultPod({ apiVersion: "v1", kind: "Pod", metadata: {}, spec: spec.template.spec });
    spec.template.spec = pod.spec;
  }
}

function defaults(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Deployment["spec"];
  spec.replicas ??= 1;
  if (obj.kind === "Deployment") {
    spec.strategy ??= { type: "RollingUpdate" };
    spec.strategy.type ??= "RollingUpdate";
    if (spec.strategy.type === "RollingUpdate") {
      spec.strategy.rollingUpdate = {
        maxSurge: "25%",
        maxUnavailable: "25%",
        ...spec.strategy.rollingUpdate,
      };
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
  }
  defaultTemplate(spec);
  obj.spec = spec;
  return obj;
}

function validate(obj: KubeObject, ctx: StrategyContext): void {
  const spec = (obj.spec ?? {}) as ReplicaSet["spec"];
  const errors = [...validateObjectMeta(obj, true), ...validateWorkload(spec)];
  if (errors.length) throw invalidError(ctx.type.kind, obj.metadata.name ?? "", errors, ctx.type.group);
  enforcePodSecurity({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: obj.metadata.name ?? "" },
    spec: spec.template.spec,
  });
}

/**
 * Deployments and ReplicaSets: defaulted and validated like kube-apiserver; status belongs to their
 * controllers; deleting one leaves its dependents to the garbage collector (or orphans them on request).
 */
export const workloadStrategy: Strategy = {
  create(obj, ctx) {
    const out = defaults(structuredClone(obj));
    validate(out, ctx);
    return asNewWorkload(out);
  },
  update(next, current, ctx) {
    const out = defaults(structuredClone(next));
    out.status = current.status;
    const selectorChanged =
      JSON.stringify((out.spec as ReplicaSet["spec"]).selector) !==
      JSON.stringify((current.spec as ReplicaSet["spec"]).selector);
    if (selectorChanged) {
      throw invalidError(
        ctx.type.kind,
        out.metadata.name ?? "",
        [
          {
            type: "FieldValueInvalid",
            field: "spec.selector",
            value: (out.spec as ReplicaSet["spec"]).selector,
            detail: "field is immutable",
          },
        ],
        ctx.type.group,
      );
    }
    bumpGeneration(out, current);
    validate(out, ctx);
    return out;
  },
  updateStatus(next, current) {
    return { ...current, status: next.status };
  },
};

/** An autoscaling/v1 Scale of `obj`, as the `scale` subresource of any kind serves it. */
export function scaleObject(obj: KubeObject, replicas: { spec: number; status: number; selector?: string }) {
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: replicas.spec },
    status: {
      replicas: replicas.status,
      ...(replicas.selector !== undefined ? { selector: replicas.selector } : {}),
    },
  };
}

/** The `scale` subresource of the built-in workloads. */
export function toScale(obj: KubeObject) {
  const spec = obj.spec as ReplicaSet["spec"];
  const selector = Object.entries(spec.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const status = (obj.status as { replicas?: number } | undefined)?.replicas ?? 0;
  return scaleObject(obj, { spec: spec.replicas ?? 0, status, selector });
}

export function replicasFromScale(scale: KubeObject): number {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw kubeErrors.unprocessable(
      `spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
    );
  }
  return replicas;
}
