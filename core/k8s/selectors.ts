import { type KubeError, kubeErrors } from "./errors";
import type { KubeObject } from "./types";

/** One requirement of a label selector, in the apiserver's string syntax. */
export type LabelRequirement =
  | { key: string; op: "=" | "!="; values: [string] }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

export type LabelSelector = LabelRequirement[];

const SET_RE = /^(!?)\s*([A-Za-z0-9./_-]+)\s*(?:\s(in|notin)\s*\(([^)]*)\))?$/;
const EQ_RE = /^([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/;

/** Splits on commas that are not inside a `( … )` value set. */
function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of input) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

/** Parses `a=b,c!=d,e in (x,y),!f`; throws a 400 Status on malformed input, as the apiserver does. */
export function parseLabelSelector(input: string | undefined): LabelSelector {
  if (!input) return [];
  return splitTopLevel(input).map((part) => {
    const eq = EQ_RE.exec(part);
    if (eq?.[1] && eq[2]) return { key: eq[1], op: eq[2] === "!=" ? "!=" : "=", values: [eq[3] ?? ""] };
    const set = SET_RE.exec(part);
    if (set?.[2]) {
      if (set[3]) {
        if (set[1]) throw invalidSelector(input);
        const values = (set[4] ?? "")
          .split(",")
          .map((v) => v.trim())
          .filter((v) => v !== "");
        return { key: set[2], op: set[3] as "in" | "notin", values };
      }
      return { key: set[2], op: set[1] ? "!exists" : "exists" };
    }
    throw invalidSelector(input);
  });
}

function invalidSelector(input: string): KubeError {
  return kubeErrors.badRequest(`unable to parse requirement: found '${input}', expected: identifier`);
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const value = l[r.key];
    switch (r.op) {
      case "=":
        return has && value === r.values[0];
      case "!=":
        return !has || value !== r.values[0];
      case "in":
        return has && r.values.includes(value as string);
      case "notin":
        return !has || !r.values.includes(value as string);
      case "exists":
        return has;
      default:
        return !has;
    }
  });
}

/** `metav1.LabelSelector` (matchLabels + matchExpressions) as used in workload specs. */
export interface StructuredLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
  }[];
}

export function fromStructured(s: StructuredLabelSelector): LabelSelector {
  const reqs: LabelSelector = Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({
    key,
    op: "=" as const,
    values: [v] as [string],
  }));
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === "In") reqs.push({ key: e.key, op: "in", values: e.values ?? [] });
    else if (e.operator === "NotIn") reqs.push({ key: e.key, op: "notin", values: e.values ?? [] });
    else if (e.operator === "Exists") reqs.push({ key: e.key, op: "exists" });
    else reqs.push({ key: e.key, op: "!exists" });
  }
  return reqs;
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** Parses `metadata.name=x,status.phase!=Running`. */
export function parseFieldSelector(input: string | undefined): FieldRequirement[] {
  if (!input) return [];
  return input
    .split(",")
    .filter((p) => p.trim() !== "")
    .map((part) => {
      const m = /^\s*([A-Za-z0-9.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
      if (!m?.[1] || !m[2])
        throw kubeErrors.badRequest(`invalid selector: '${input}'; can't understand '${part}'`);
      return { field: m[1], op: m[2] === "!=" ? "!=" : "=", value: m[3] ?? "" };
    });
}

/** Fields every kind supports; kinds add their own (status.phase, spec.nodeName, involvedObject.*). */
const COMMON_FIELDS: Record<string, (o: KubeObject) => string | undefined> = {
  "metadata.name": (o) => o.metadata.name,
  "metadata.namespace": (o) => o.metadata.namespace,
};

const KIND_FIELDS: Record<string, Record<string, (o: KubeObject) => string | undefined>> = {
  Pod: {
    "spec.nodeName": (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName,
    "spec.restartPolicy": (o) => (o.spec as { restartPolicy?: string } | undefined)?.restartPolicy,
    "spec.schedulerName": (o) => (o.spec as { schedulerName?: string } | undefined)?.schedulerName,
    "spec.serviceAccountName": (o) =>
      (o.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName,
    "status.phase": (o) => (o.status as { phase?: string } | undefined)?.phase,
    "status.podIP": (o) => (o.status as { podIP?: string } | undefined)?.podIP,
    "status.nominatedNodeName": (o) =>
      (o.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName,
  },
  Event: Object.fromEntries(
    ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"].map((f) => [
      `involvedObject.${f}`,
      (o: KubeObject) => (o.involvedObject as Record<string, string> | undefined)?.[f],
    ]),
  ),
  Namespace: { "status.phase": (o) => (o.status as { phase?: string } | undefined)?.phase },
  Secret: { type: (o) => o.type as string | undefined },
};
KIND_FIELDS.Event = {
  ...KIND_FIELDS.Event,
  reason: (o) => o.reason as string | undefined,
  source: (o) => (o.source as { component?: string } | undefined)?.component,
  type: (o) => o.type as string | undefined,
};

/** Throws the apiserver's 400 for a field label the kind does not support. */
export function checkFieldSelector(kind: string, reqs: FieldRequirement[]): void {
  for (const r of reqs) {
    if (!COMMON_FIELDS[r.field] && !KIND_FIELDS[kind]?.[r.field]) {
      throw kubeErrors.badRequest(`field label not supported: ${r.field}`);
    }
  }
}

export function matchesFields(kind: string, reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => {
    const get = COMMON_FIELDS[r.field] ?? KIND_FIELDS[kind]?.[r.field];
    const value = get?.(obj) ?? "";
    return r.op === "=" ? value === r.value : value !== r.value;
  });
}
