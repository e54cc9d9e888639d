import { builtInListTypes, type ListTypes } from "../managed-fields/fieldset";
import type { ResourceType } from "../resources";
import type { JSONSchemaProps } from "./types";

/** The schema of the value at `fields` (field names, `[]` for a list's items), undefined where it says nothing. */
function schemaAt(
  schema: JSONSchemaProps | undefined,
  fields: readonly string[],
): JSONSchemaProps | undefined {
  let at = schema;
  for (const field of fields) {
    if (!at) return undefined;
    if (field === "[]") at = at.items;
    else
      at =
        at.properties?.[field] ??
        (typeof at.additionalProperties === "object" ? at.additionalProperties : undefined);
  }
  return at;
}

/**
 * A custom resource's lists as its schema declares them: `x-kubernetes-list-type: map` merged on its
 * `x-kubernetes-list-map-keys`, `set` as a set, anything else atomic (kube's default for CRDs, whatever the
 * field is called). Its metadata is every object's, with the built-in lists.
 */
export function schemaListTypes(schema: JSONSchemaProps | undefined): ListTypes {
  return (fields, items) => {
    if (fields[0] === "metadata") return builtInListTypes(fields, items);
    const list = schemaAt(schema, fields);
    switch (list?.["x-kubernetes-list-type"]) {
      case "map":
        return { keys: list["x-kubernetes-list-map-keys"] ?? [] };
      case "set":
        return "set";
      default:
        return "atomic";
    }
  };
}

/** How server-side apply sees the lists of a kind: built-in kinds by field name, custom ones by their schema. */
export const listTypesOf = (type: ResourceType): ListTypes =>
  type.custom ? schemaListTypes(type.custom.schema) : builtInListTypes;
