import type { StructuredLabelSelector } from "../selectors";
import { type FieldError, fieldErrors } from "../validation/field-errors";
import { labelValue, qualifiedName } from "../validation/names";
import { TAINT_EFFECTS } from "./taints";
import {
  affinityOf,
  type NodeSelectorRequirement,
  type NodeSelectorTerm,
  type PodAffinity,
  type PodAffinityTerm,
  tolerationsOf,
} from "./types";

const LABEL_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

function weight(value: unknown, path: string): FieldError[] {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 100
    ? []
    : [fieldErrors.invalid(path, value, "must be in the range 1-100")];
}

function keyErrors(key: unknown, path: string): FieldError[] {
  if (typeof key !== "string" || key === "")
    return [fieldErrors.invalid(path, key ?? "", "name part must be non-empty")];
  return qualifiedName(key).map((m) => fieldErrors.invalid(path, key, m));
}

function nodeRequirement(req: NodeSelectorRequirement, path: string): FieldError[] {
  const errs = keyErrors(req.key, `${path}.key`);
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0)
        errs.push(
          fieldErrors.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"),
        );
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0)
        errs.push(
          fieldErrors.forbidden(
            `${path}.values`,
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      break;
    case "Gt":
    case "Lt":
      if (values.length !== 1)
        errs.push(
          fieldErrors.required(
            `${path}.values`,
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
          ),
        );
      break;
    default:
      errs.push(fieldErrors.invalid(`${path}.operator`, req.operator, "not a valid selector operator"));
  }
  return errs;
}

function fieldRequirement(req: NodeSelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (req.key !== "metadata.name")
    errs.push(fieldErrors.invalid(`${path}.key`, req.key, "not a valid field selector key"));
  if (req.operator !== "In" && req.operator !== "NotIn")
    errs.push(fieldErrors.invalid(`${path}.operator`, req.operator, "not a valid selector operator"));
  else if ((req.values ?? []).length !== 1)
    errs.push(
      fieldErrors.required(
        `${path}.values`,
        "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
      ),
    );
  return errs;
}

function nodeSelectorTerm(term: NodeSelectorTerm, path: string): FieldError[] {
  return [
    ...(term.matchExpressions ?? []).flatMap((r, i) => nodeRequirement(r, `${path}.matchExpressions[${i}]`)),
    ...(term.matchFields ?? []).flatMap((r, i) => fieldRequirement(r, `${path}.matchFields[${i}]`)),
  ];
}

function labelSelector(selector: StructuredLabelSelector | null | undefined, path: string): FieldError[] {
  if (!selector) return [];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    for (const m of qualifiedName(k)) errs.push(fieldErrors.invalid(`${path}.matchLabels`, k, m));
    for (const m of labelValue(String(v))) errs.push(fieldErrors.invalid(`${path}.matchLabels`, v, m));
  }
  for (const [i, e] of (selector.matchExpressions ?? []).entries()) {
    const p = `${path}.matchExpressions[${i}]`;
    errs.push(...keyErrors(e.key, `${p}.key`));
    if (!LABEL_OPERATORS.includes(e.operator))
      errs.push(fieldErrors.invalid(`${p}.operator`, e.operator, "not a valid selector operator"));
    else if ((e.operator === "In" || e.operator === "NotIn") && !(e.values ?? []).length)
      errs.push(fieldErrors.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    else if ((e.operator === "Exists" || e.operator === "DoesNotExist") && (e.values ?? []).length)
      errs.push(
        fieldErrors.forbidden(
          `${p}.values`,
          "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ),
      );
  }
  return errs;
}

function podAffinityTerm(term: PodAffinityTerm, path: string): FieldError[] {
  const errs = [
    ...labelSelector(term.labelSelector, `${path}.labelSelector`),
    ...labelSelector(term.namespaceSelector, `${path}.namespaceSelector`),
  ];
  if (!term.topologyKey) errs.push(fieldErrors.required(`${path}.topologyKey`, "can not be empty"));
  else
    for (const m of qualifiedName(term.topologyKey))
      errs.push(fieldErrors.invalid(`${path}.topologyKey`, term.topologyKey, m));
  return errs;
}

function podAffinity(affinity: PodAffinity | undefined, path: string): FieldError[] {
  if (!affinity) return [];
  const required = `${path}.requiredDuringSchedulingIgnoredDuringExecution`;
  const preferred = `${path}.preferredDuringSchedulingIgnoredDuringExecution`;
  return [
    ...(affinity.requiredDuringSchedulingIgnoredDuringExecution ?? []).flatMap((t, i) =>
      podAffinityTerm(t, `${required}[${i}]`),
    ),
    ...(affinity.preferredDuringSchedulingIgnoredDuringExecution ?? []).flatMap((t, i) => [
      ...weight(t.weight, `${preferred}[${i}].weight`),
      ...podAffinityTerm(t.podAffinityTerm ?? ({} as PodAffinityTerm), `${preferred}[${i}].podAffinityTerm`),
    ]),
  ];
}

/** spec.affinity with kube-apiserver's paths and messages. */
export function validateAffinity(spec: { affinity?: unknown }, base = "spec"): FieldError[] {
  const affinity = affinityOf(spec);
  const errs: FieldError[] = [];
  const node = affinity.nodeAffinity;
  const path = `${base}.affinity.nodeAffinity`;
  const required = node?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    const terms = required.nodeSelectorTerms ?? [];
    const termsPath = `${path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
    if (terms.length === 0)
      errs.push(fieldErrors.required(termsPath, "must have at least one node selector term"));
    for (const [i, t] of terms.entries()) errs.push(...nodeSelectorTerm(t, `${termsPath}[${i}]`));
  }
  for (const [i, p] of (node?.preferredDuringSchedulingIgnoredDuringExecution ?? []).entries()) {
    const pp = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    errs.push(
      ...weight(p.weight, `${pp}.weight`),
      ...nodeSelectorTerm(p.preference ?? {}, `${pp}.preference`),
    );
  }
  errs.push(...podAffinity(affinity.podAffinity, `${base}.affinity.podAffinity`));
  errs.push(...podAffinity(affinity.podAntiAffinity, `${base}.affinity.podAntiAffinity`));
  return errs;
}

/** spec.tolerations with kube-apiserver's paths and messages. */
export function validateTolerations(spec: { tolerations?: unknown }, base = "spec"): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, t] of tolerationsOf(spec).entries()) {
    const path = `${base}.tolerations[${i}]`;
    if (t.key) for (const m of qualifiedName(t.key)) errs.push(fieldErrors.invalid(`${path}.key`, t.key, m));
    if (!t.key && t.operator !== "Exists")
      errs.push(
        fieldErrors.invalid(
          `${path}.operator`,
          t.operator ?? "",
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== "NoExecute")
      errs.push(
        fieldErrors.invalid(
          `${path}.effect`,
          t.effect ?? "",
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    if (t.operator === "Exists" && t.value)
      errs.push(
        fieldErrors.invalid(`${path}.operator`, t.value, "value must be empty when `operator` is 'Exists'"),
      );
    else if (t.operator && t.operator !== "Equal" && t.operator !== "Exists")
      errs.push(fieldErrors.notSupported(`${path}.operator`, t.operator, ["Equal", "Exists"]));
    else if ((t.operator ?? "Equal") === "Equal" && t.value)
      for (const m of labelValue(t.value)) errs.push(fieldErrors.invalid(`${path}.value`, t.value, m));
    if (t.effect && !TAINT_EFFECTS.includes(t.effect as never))
      errs.push(fieldErrors.notSupported(`${path}.effect`, t.effect, [...TAINT_EFFECTS]));
  }
  return errs;
}
