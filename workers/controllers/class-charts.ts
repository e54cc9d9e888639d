import { catalogChart } from "../../core/charts/catalog";
import { rfc3339 } from "../../core/k8s/time";
import type { ObjectRef } from "../../core/objects";
import { createLogger, type Logger } from "../../core/telemetry";
import type { TenantChart } from "../../core/tenants";
import { CLUSTER_CHARTS_CHANNEL, type ClusterRepository } from "../../db/clusters";
import { ObjectWriter } from "../../db/object-writer/writer";
import { ReleaseError } from "../../db/releases/errors";
import { pollingHookWaiter } from "../../db/releases/hooks";
import { installRelease, type ReleaseDeps, recordFailedInstall } from "../../db/releases/operations";
import { revisions } from "../../db/releases/records";
import { failedInstallOf } from "../../helm/revision";
import { loadChart } from "../../helm/template-command";
import { type Controller, clusterRef } from "../controller";
import type { Result } from "../shell";
import { type ChartInstall, planClassCharts } from "./class-charts-plan";

/**
 * Installs a class's charts (its tenant's `charts`: catalog or uploaded) into each of its clusters as Helm
 * releases, the way the releases API installs them (db/releases: same records, same write path, manager
 * `helm`), namespaces made as `helm install --create-namespace` makes them, hooks run and waited for. Once
 * per cluster and reset generation: a release already there at any revision is left alone, and once every
 * chart has had its install the cluster is marked done, so a release the teacher or the student removes
 * later stays removed. A chart that cannot be installed (it does not render, an object is refused) is
 * recorded as a `failed` release saying why, as Helm records a failed install; a cluster that cannot take
 * writes now (reset again meanwhile) is tried again.
 */
export class ClassChartsController {
  constructor(
    private readonly o: {
      clusters: ClusterRepository;
      releases: ReleaseDeps;
      catalog: (name: string) => Record<string, string> | undefined;
      logger: Logger;
    },
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const found = await this.o.clusters.classCharts(ref.clusterId);
    if (!found) return {};
    const { cluster, charts } = found;
    if (cluster.phase !== "Active" || cluster.chartsGeneration === cluster.resetGeneration) return {};
    const plan = planClassCharts(charts, await revisions(this.o.releases.store, cluster.id), this.o.catalog);
    for (const step of plan.install) await this.install(cluster.id, step);
    for (const chart of plan.missing)
      await this.recordFailure(
        cluster.id,
        chart,
        { name: chart.catalog ?? chart.name },
        `chart ${JSON.stringify(chart.catalog)} is no longer in the catalog`,
      );
    await this.o.clusters.markChartsInstalled(cluster.id, cluster.resetGeneration);
    return {};
  }

  private async install(clusterId: string, { chart, files }: ChartInstall): Promise<void> {
    try {
      await installRelease(this.o.releases, clusterId, {
        name: chart.name,
        namespace: chart.namespace,
        files,
        ...(chart.values ? { values: chart.values } : {}),
        createNamespace: true,
      });
    } catch (err) {
      // the platform's or the moment's fault (a store outage, a reset under way): the job is tried again
      if (!(err instanceof ReleaseError) || err.status >= 500) throw err;
      // there already, installed meanwhile by someone else: left alone
      if (err.code === "already_exists") return;
      await this.recordFailure(clusterId, chart, chartMeta(files, chart), err.message);
    }
  }

  private async recordFailure(
    clusterId: string,
    chart: TenantChart,
    meta: { name: string; version?: string | undefined; appVersion?: string | undefined },
    why: string,
  ): Promise<void> {
    this.o.logger.warn("class chart not installed", { clusterId, release: chart.name, error: why });
    const now = rfc3339(this.o.releases.now());
    const record = failedInstallOf(chart, meta, chart.values ?? {}, now, why);
    try {
      await recordFailedInstall(this.o.releases, clusterId, record, true);
    } catch (err) {
      // a namespace being deleted, say: the log above is all there is
      if (err instanceof ReleaseError && err.status < 500) return;
      throw err;
    }
  }
}

/** The chart's name and version from its Chart.yaml, for a failed release's record. */
function chartMeta(files: Record<string, string>, chart: TenantChart) {
  try {
    const meta = loadChart(files);
    return { name: meta.name, version: meta.version, appVersion: meta.appVersion };
  } catch {
    return { name: chart.catalog ?? chart.name };
  }
}

/** Installs a class's charts into its new (and reset) clusters. */
export const classChartsController: Controller = {
  queue: "class-charts",
  watches: [],
  notified: { channel: CLUSTER_CHARTS_CHANNEL, ref: clusterRef },
  resync: {
    every: "period",
    keys: async ({ clusters }) => (await clusters.chartsPending()).map((c) => clusterRef(c.id)),
  },
  // each install renders in a child process: a few at a time on a replica
  concurrency: 4,
  start: (d) => {
    const controller = new ClassChartsController({
      clusters: d.clusters,
      releases: {
        store: d.store,
        writer: new ObjectWriter({ store: d.store }),
        chartRender: d.config.chartRender,
        awaitHook: pollingHookWaiter(d.store),
        now: () => new Date(),
      },
      catalog: catalogChart,
      logger: createLogger("class-charts"),
    });
    return (ref) => controller.reconcile(ref);
  },
};
