import { isDeepStrictEqual } from "node:util";
import { enforcePodSecurity } from "../pod-security";
import type { KubeObject } from "../types";
import { fieldErrors, invalidError } from "../validation/field-errors";
import { DAEMONSET_TEMPLATE_GENERATION_ANNOTATION, type DaemonSet } from "../workloads/types";
import { asNewWorkload, bumpGeneration } from "./generic";
import { defaultTemplateSpec, validateDaemonLike } from "./statefulsets";
import type { Strategy } from "./strategy";
import { workloadStrategy } from "./workloads";

function defaults(obj: KubeObject): DaemonSet {
  const ds = obj as DaemonSet;
  ds.spec ??= {} as DaemonSet["spec"];
  const spec = ds.spec;
  spec.updateStrategy ??= {};
  spec.updateStrategy.type ??= "RollingUpdate";
  if (spec.updateStrategy.type === "RollingUpdate") {
    spec.updateStrategy.rollingUpdate = {
      maxUnavailable: 1,
      maxSurge: 0,
      ...spec.updateStrategy.rollingUpdate,
    };
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplateSpec(spec);
  return ds;
}

const isZero = (v: number | string | undefined) => v === undefined || v === 0 || v === "0%";

function validate(ds: DaemonSet): void {
  const errors = validateDaemonLike(ds);
  const strategy = ds.spec.updateStrategy ?? {};
  if (strategy.type !== "RollingUpdate" && strategy.type !== "OnDelete") {
    errors.push(
      fieldErrors.notSupported("spec.updateStrategy.type", strategy.type, ["OnDelete", "RollingUpdate"]),
    );
  }
  const rolling = strategy.rollingUpdate;
  if (
    strategy.type === "RollingUpdate" &&
    rolling &&
    isZero(rolling.maxUnavailable) &&
    isZero(rolling.maxSurge)
  ) {
    errors.push(
      fieldErrors.invalid(
        "spec.updateStrategy.rollingUpdate.maxUnavailable",
        rolling.maxUnavailable ?? 0,
        "may not be 0 when maxSurge is 0",
      ),
    );
  }
  if (errors.length) throw invalidError("DaemonSet", ds.metadata.name ?? "", errors, "apps");
  enforcePodSecurity({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: ds.metadata.name ?? "" },
    spec: ds.spec.template.spec,
  });
}

function withTemplateGeneration(ds: DaemonSet, generation: number): void {
  ds.metadata.annotations = {
    ...ds.metadata.annotations,
    [DAEMONSET_TEMPLATE_GENERATION_ANNOTATION]: String(generation),
  };
}

/**
 * DaemonSets: defaulted and validated like kube-apiserver; the selector is immutable, and the template
 * generation annotation counts template changes (daemon pods carry it as `pod-template-generation`).
 */
export const daemonSetStrategy: Strategy = {
  ...workloadStrategy,
  create(obj) {
    const ds = defaults(structuredClone(obj));
    withTemplateGeneration(ds, 1);
    validate(ds);
    return asNewWorkload(ds);
  },
  update(next, current) {
    const ds = defaults(structuredClone(next));
    const before = current as DaemonSet;
    ds.status = before.status;
    if (!isDeepStrictEqual(ds.spec.selector, before.spec.selector)) {
      throw invalidError(
        "DaemonSet",
        ds.metadata.name ?? "",
        [fieldErrors.invalid("spec.selector", ds.spec.selector, "field is immutable")],
        "apps",
      );
    }
    const generation = Number(before.metadata.annotations?.[DAEMONSET_TEMPLATE_GENERATION_ANNOTATION] ?? 1);
    const changed = !isDeepStrictEqual(ds.spec.template, before.spec.template);
    withTemplateGeneration(ds, changed ? generation + 1 : generation);
    bumpGeneration(ds, current);
    validate(ds);
    return ds;
  },
};
