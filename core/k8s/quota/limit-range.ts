import type { Container, KubeObject, Pod } from "../types";
import { amountOf } from "./usage";

type Amounts = Record<string, string>;

export interface LimitRangeItem {
  type: "Container" | "Pod" | "PersistentVolumeClaim";
  default?: Amounts;
  defaultRequest?: Amounts;
  min?: Amounts;
  max?: Amounts;
  maxLimitRequestRatio?: Amounts;
}

export interface LimitRange extends KubeObject {
  spec: { limits?: LimitRangeItem[] };
}

const containerItems = (ranges: LimitRange[]) =>
  ranges.flatMap((r) => r.spec.limits ?? []).filter((item) => item.type === "Container");

/**
 * LimitRanger's defaulting: a container without a limit or a request for a resource gets the range's
 * default (max when no default) and defaultRequest (the default when none). Mutates the pod.
 */
export function applyLimitDefaults(pod: Pod, ranges: LimitRange[]): void {
  for (const item of containerItems(ranges)) {
    const limits = { ...item.max, ...item.default };
    const requests = { ...limits, ...item.defaultRequest };
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      c.resources ??= {};
      const resources = c.resources;
      for (const [name, value] of Object.entries(limits))
        if (resources.limits?.[name] === undefined) resources.limits = { ...resources.limits, [name]: value };
      for (const [name, value] of Object.entries(requests))
        if (resources.requests?.[name] === undefined)
          resources.requests = { ...resources.requests, [name]: value };
    }
  }
}

function containerViolations(c: Container, item: LimitRangeItem): string[] {
  const out: string[] = [];
  const request = (r: string) => c.resources?.requests?.[r];
  const limit = (r: string) => c.resources?.limits?.[r];
  for (const [r, min] of Object.entries(item.min ?? {})) {
    const value = request(r);
    if (value === undefined) out.push(`minimum ${r} usage per Container is ${min}.  No request is specified`);
    else if (amountOf(r, value) < amountOf(r, min))
      out.push(`minimum ${r} usage per Container is ${min}, but request is ${value}`);
  }
  for (const [r, max] of Object.entries(item.max ?? {})) {
    const value = limit(r);
    if (value === undefined) out.push(`maximum ${r} usage per Container is ${max}.  No limit is specified`);
    else if (amountOf(r, value) > amountOf(r, max))
      out.push(`maximum ${r} usage per Container is ${max}, but limit is ${value}`);
  }
  for (const [r, ratio] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const l = limit(r);
    const q = request(r);
    if (l === undefined || q === undefined || amountOf(r, q) === 0) continue;
    const provided = amountOf(r, l) / amountOf(r, q);
    if (provided > Number(ratio))
      out.push(
        `${r} max limit to request ratio per Container is ${ratio}, but provided ratio is ${provided.toFixed(6)}`,
      );
  }
  return out;
}

/** LimitRanger's refusals for a pod's containers, in kube's words; empty when it fits. */
export function limitRangeViolations(pod: Pod, ranges: LimitRange[]): string[] {
  return containerItems(ranges).flatMap((item) =>
    [...(pod.spec.initContainers ?? []), ...pod.spec.containers].flatMap((c) => containerViolations(c, item)),
  );
}
