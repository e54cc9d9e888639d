import { CRD_GROUP, CRD_RESOURCE } from "../../core/k8s/crd/types";
import { findResourceType, type ResourceType } from "../../core/k8s/resources";
import type { KubeObject } from "../../core/k8s/types";
import { manifestObjects } from "../../helm/release";
import { HELM, type ReleaseWriter } from "./apply";
import { ReleaseError } from "./errors";

const CRDS = findResourceType(CRD_GROUP, "v1", CRD_RESOURCE) as ResourceType;

/** The chart's and its subcharts' `crds/` files, as Helm reads them: plain YAML, never templated. */
function crdObjects(files: Record<string, string>): KubeObject[] {
  return Object.keys(files)
    .filter((path) => /^(charts\/[^/]+\/)*crds\/[^/]+\.(ya?ml|json)$/.test(path))
    .sort()
    .flatMap((path) => manifestObjects(files[path] as string) as KubeObject[]);
}

/**
 * Helm's install of a chart's `crds/` directory: each CRD created before the templates render, one that
 * exists already left as it is, none ever upgraded or deleted with the release.
 */
export async function installChartCrds(d: ReleaseWriter, clusterId: string, files: Record<string, string>) {
  for (const obj of crdObjects(files)) {
    if (obj.kind !== "CustomResourceDefinition" || obj.apiVersion !== `${CRD_GROUP}/v1`)
      throw new ReleaseError(
        422,
        "apply_failed",
        `crds/ holds ${obj.apiVersion}/${obj.kind} "${obj.metadata?.name}": only apiextensions.k8s.io/v1 CustomResourceDefinitions`,
      );
    const key = {
      clusterId,
      group: CRD_GROUP,
      resource: CRD_RESOURCE,
      namespace: "",
      name: obj.metadata.name ?? "",
    };
    if (await d.store.get(key)) continue;
    await d.writer.create(CRDS, key, obj, HELM);
  }
}
