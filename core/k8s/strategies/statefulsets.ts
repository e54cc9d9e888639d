import { isDeepStrictEqual } from "node:util";
import { defaultPod } from "../defaults/pod";
import { enforcePodSecurity } from "../pod-security";
import type { KubeObject } from "../types";
import { type FieldError, fieldErrors, invalidError } from "../validation/field-errors";
import { validateObjectMeta } from "../validation/meta";
import type { DaemonSet, StatefulSet } from "../workloads/types";
import { validateWorkload } from "../workloads/validation";
import { asNewWorkload, bumpGeneration } from "./generic";
import type { Strategy } from "./strategy";
import { workloadStrategy } from "./workloads";

export function defaultTemplateSpec(spec: { template?: { spec?: KubeObject["spec"] } }): void {
  const template = spec.template as { spec?: StatefulSet["spec"]["template"]["spec"] } | undefined;
  if (template?.spec) {
    template.spec = defaultPod({ apiVersion: "v1", kind: "Pod", metadata: {}, spec: template.spec }).spec;
  }
}

function defaults(obj: KubeObject): StatefulSet {
  const sts = obj as StatefulSet;
  sts.spec ??= {} as StatefulSet["spec"];
  const spec = sts.spec;
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= "OrderedReady";
  spec.updateStrategy ??= {};
  spec.updateStrategy.type ??= "RollingUpdate";
  if (spec.updateStrategy.type === "RollingUpdate") {
    spec.updateStrategy.rollingUpdate = { partition: 0, ...spec.updateStrategy.rollingUpdate };
  }
  spec.revisionHistoryLimit ??= 10;
  spec.persistentVolumeClaimRetentionPolicy = {
    whenDeleted: "Retain",
    whenScaled: "Retain",
    ...spec.persistentVolumeClaimRetentionPolicy,
  };
  spec.volumeClaimTemplates = spec.volumeClaimTemplates?.map((claim) => ({
    ...claim,
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    spec: { volumeMode: "Filesystem", ...(claim.spec as object) },
    status: { phase: "Pending", ...(claim.status as object) },
  }));
  if (!spec.volumeClaimTemplates) delete spec.volumeClaimTemplates;
  defaultTemplateSpec(spec);
  return sts;
}

/** Template rules StatefulSets and DaemonSets share: restartPolicy Always, the workload checks. */
export function validateDaemonLike(obj: StatefulSet | DaemonSet): FieldError[] {
  const errors = [...validateObjectMeta(obj, true), ...validateWorkload(withClaimVolumes(obj.spec ?? {}))];
  const policy = obj.spec?.template?.spec?.restartPolicy;
  if (obj.spec?.template?.spec && policy !== "Always") {
    errors.push(fieldErrors.notSupported("spec.template.spec.restartPolicy", policy, ["Always"]));
  }
  return errors;
}

/** The template as its pods get it: each volumeClaimTemplate is a volume its containers may mount. */
function withClaimVolumes<T extends Partial<StatefulSet["spec"]>>(spec: T): T {
  const claims = (spec.volumeClaimTemplates ?? []).map((c) => ({
    name: c.metadata?.name ?? "",
    persistentVolumeClaim: { claimName: c.metadata?.name ?? "" },
  }));
  if (!claims.length || !spec.template?.spec) return spec;
  const volumes = (spec.template.spec.volumes as { name: string }[] | undefined) ?? [];
  return {
    ...spec,
    template: {
      ...spec.template,
      spec: {
        ...spec.template.spec,
        volumes: [...volumes.filter((v) => !claims.some((c) => c.name === v.name)), ...claims],
      },
    },
  };
}

function validate(sts: StatefulSet): void {
  const errors = validateDaemonLike(sts);
  const spec = sts.spec;
  if (spec.podManagementPolicy !== "OrderedReady" && spec.podManagementPolicy !== "Parallel") {
    errors.push(
      fieldErrors.notSupported("spec.podManagementPolicy", spec.podManagementPolicy, [
        "OrderedReady",
        "Parallel",
      ]),
    );
  }
  const strategy = spec.updateStrategy ?? {};
  if (strategy.type !== "RollingUpdate" && strategy.type !== "OnDelete") {
    errors.push(
      fieldErrors.notSupported("spec.updateStrategy.type", strategy.type, ["OnDelete", "RollingUpdate"]),
    );
  }
  if (strategy.type === "OnDelete" && strategy.rollingUpdate) {
    errors.push(
      fieldErrors.invalid(
        "spec.updateStrategy.rollingUpdate",
        strategy.rollingUpdate,
        "only allowed for updateStrategy 'RollingUpdate'",
      ),
    );
  }
  const partition = strategy.rollingUpdate?.partition;
  if (partition !== undefined && (!Number.isInteger(partition) || partition < 0)) {
    errors.push(
      fieldErrors.invalid(
        "spec.updateStrategy.rollingUpdate.partition",
        partition,
        "must be greater than or equal to 0",
      ),
    );
  }
  spec.volumeClaimTemplates?.forEach((claim, i) => {
    if (!claim.metadata?.name)
      errors.push(fieldErrors.required(`spec.volumeClaimTemplates[${i}].metadata.name`));
  });
  if (errors.length) throw invalidError("StatefulSet", sts.metadata.name ?? "", errors, "apps");
  enforcePodSecurity({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: sts.metadata.name ?? "" },
    spec: spec.template.spec,
  });
}

const MUTABLE = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
];

function frozen(spec: StatefulSet["spec"]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).filter(([k]) => !MUTABLE.includes(k)));
}

/**
 * StatefulSets: defaulted and validated like kube-apiserver; only replicas, ordinals, template, update
 * strategy, PVC retention and minReadySeconds may change. volumeClaimTemplates are stored, not acted on.
 */
export const statefulSetStrategy: Strategy = {
  ...workloadStrategy,
  create(obj) {
    const sts = defaults(structuredClone(obj));
    validate(sts);
    return asNewWorkload(sts);
  },
  update(next, current) {
    const sts = defaults(structuredClone(next));
    sts.status = (current as StatefulSet).status;
    if (!isDeepStrictEqual(frozen(sts.spec), frozen((current as StatefulSet).spec))) {
      throw invalidError(
        "StatefulSet",
        sts.metadata.name ?? "",
        [
          fieldErrors.forbidden(
            "spec",
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          ),
        ],
        "apps",
      );
    }
    bumpGeneration(sts, current);
    validate(sts);
    return sts;
  },
};
