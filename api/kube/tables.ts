import type { KubeObject } from "../../core/k8s/types";

// Interim: replaced by api/kube/tables/.
export function toTable(
  _kind: string,
  objects: KubeObject[],
  options: {
    now: Date;
    includeObject: "None" | "Metadata" | "Object";
    listMeta: { resourceVersion?: string | undefined };
  },
) {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion: options.listMeta.resourceVersion ?? "" },
    columnDefinitions: [
      { name: "Name", type: "string", format: "name", description: "", priority: 0 },
    ] as unknown[],
    rows: objects.map((o) => ({
      cells: [o.metadata.name],
      object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}
