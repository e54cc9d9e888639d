import type { Context } from "hono";
import type { ResourceType } from "../../core/k8s/resources";
import {
  checkFieldSelector,
  type FieldRequirement,
  type LabelSelector,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from "../../core/k8s/selectors";
import type { KubeObject } from "../../core/k8s/types";
import type { AppEnv } from "../env";

export interface Selection {
  labels: LabelSelector;
  fields: FieldRequirement[];
}

/** The request's labelSelector and fieldSelector; a field the kind does not support is a 400. */
export function selectorsOf(c: Context<AppEnv>, type: ResourceType): Selection {
  const labels = parseLabelSelector(c.req.query("labelSelector"));
  const fields = parseFieldSelector(c.req.query("fieldSelector"));
  checkFieldSelector(fieldKind(type), fields);
  return { labels, fields };
}

export function matches(type: ResourceType, sel: Selection, obj: KubeObject): boolean {
  return matchesLabels(sel.labels, obj.metadata.labels) && matchesFields(fieldKind(type), sel.fields, obj);
}

/** Custom kinds select on metadata.name and metadata.namespace only, whatever built-in kind they share a name with. */
const fieldKind = (type: ResourceType) => (type.custom ? "" : type.kind);
