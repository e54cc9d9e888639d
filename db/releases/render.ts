import {
  type RenderJob,
  RenderLimitExceeded,
  type RenderLimits,
  renderBounded,
} from "../../core/charts/bounded-render";
import { groupVersion } from "../../core/k8s/resources";
import type { KubeObject } from "../../core/k8s/types";
import { KUBE_VERSION } from "../../core/k8s/version";
import type { RenderedChart } from "../../helm/template-command";
import { loadServedTypes } from "../custom-types";
import type { ObjectStore } from "../store";
import { ReleaseError } from "./errors";

/** A release's values as the caller gives them: a values file's content, `--set` and `--set-string`. */
export interface ReleaseValues {
  values?: Record<string, unknown> | undefined;
  set?: string[] | undefined;
  setString?: string[] | undefined;
}

/**
 * `.Capabilities` of the cluster, and the objects `lookup` reads: read only when a template looks up,
 * since Helm charts rarely do.
 */
async function clusterView(
  store: Pick<ObjectStore, "list">,
  clusterId: string,
  files: Record<string, string>,
) {
  const served = await loadServedTypes(store, clusterId);
  const apiVersions = served.all.flatMap((t) => [groupVersion(t), `${groupVersion(t)}/${t.kind}`]);
  const base = { kubeVersion: `${KUBE_VERSION.major}.${KUBE_VERSION.minor}`, apiVersions };
  if (!Object.values(files).some((text) => text.includes("lookup"))) return base;
  const objects: KubeObject[] = [];
  for (const t of served.all.filter(
    (r) => !r.virtual && (!r.custom || r.custom.storageVersion === r.version),
  ))
    objects.push(...(await store.list({ clusterId, group: t.group, resource: t.resource })).items);
  return { ...base, objects };
}

/**
 * Renders a chart for a release in a bounded child process (core/charts/bounded-render.ts), failing with a
 * ReleaseError: the template's name and line as Helm reports them (422 `render_failed`), a limit hit (422
 * `render_limit`), a malformed `set` (400 `invalid_set`).
 */
export async function renderForRelease(
  d: { store: Pick<ObjectStore, "list">; chartRender: RenderLimits },
  clusterId: string,
  files: Record<string, string>,
  release: { name: string; namespace: string; revision: number; isUpgrade: boolean },
  values: ReleaseValues,
): Promise<RenderedChart> {
  const cluster = await clusterView(d.store, clusterId, files);
  const job: RenderJob = {
    files,
    options: {
      releaseName: release.name,
      namespace: release.namespace,
      revision: release.revision,
      isUpgrade: release.isUpgrade,
      ...cluster,
      ...(values.values ? { values: values.values } : {}),
      ...(values.set ? { set: values.set } : {}),
      ...(values.setString ? { setString: values.setString } : {}),
    },
  };
  const outcome = await renderBounded(job, d.chartRender).catch((err: Error) => {
    if (err instanceof RenderLimitExceeded) throw new ReleaseError(422, "render_limit", err.message);
    throw err;
  });
  if ("rendered" in outcome) return outcome.rendered;
  if (outcome.setSyntax) throw new ReleaseError(400, "invalid_set", outcome.error);
  throw new ReleaseError(422, "render_failed", outcome.error);
}
