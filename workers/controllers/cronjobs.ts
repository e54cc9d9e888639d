import { KubeError } from "../../core/k8s/errors";
import { isControlledBy } from "../../core/k8s/owners";
import { defaultJob } from "../../core/k8s/workloads/defaults";
import type { CronJob, Job } from "../../core/k8s/workloads/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import { isNamespaceTerminating } from "../../db/object-writer/prepare";
import type { ObjectStore } from "../../db/store";
import { kindController } from "../controller";
import type { EventRecorder } from "../events";
import type { Result } from "../shell";
import { planCronJob } from "./cronjob-plan";
import { writeStatus } from "./write-status";
import { controllerWrites } from "./writes";

/**
 * Starts a CronJob's Jobs on schedule (see cronjob-plan.ts). Each pass asks to look again at the next
 * tick; a tick's Job has a deterministic name, so neither a retry nor a second worker doubles it, and
 * the resync catches a tick whose wake-up was lost.
 */
export class CronJobController {
  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const key: ObjectKey = {
      clusterId: ref.clusterId,
      group: "batch",
      resource: "cronjobs",
      namespace: ref.namespace,
      name: ref.name,
    };
    const cj = (await this.store.get(key)) as CronJob | undefined;
    if (!cj) return {};
    const { items } = await this.store.list({
      clusterId: ref.clusterId,
      group: "batch",
      resource: "jobs",
      namespace: ref.namespace,
    });
    const jobs = items.filter((j) => isControlledBy(j, cj)) as Job[];
    const plan = planCronJob(cj, jobs, this.now());
    for (const name of plan.remove) {
      await this.store.delete({ ...key, resource: "jobs", name }).catch(() => undefined);
    }
    if (plan.create) {
      const job = defaultJob(plan.create);
      try {
        await controllerWrites(this.store, this.now).create(
          { ...key, resource: "jobs", name: job.metadata.name ?? "" },
          job,
        );
        await this.events.record(
          ref.clusterId,
          cj,
          "Normal",
          "SuccessfulCreate",
          `Created job ${job.metadata.name}`,
        );
      } catch (err) {
        if (!(err instanceof KubeError && err.code === 409) && !isNamespaceTerminating(err)) throw err;
      }
    }
    if (plan.skipped)
      await this.events.record(ref.clusterId, cj, "Warning", "JobAlreadyActive", plan.skipped);
    await writeStatus(this.store, key, cj.metadata.uid ?? "", plan.status);
    return { requeueAfterMs: plan.requeueAfterMs };
  }
}

export const cronJobController = kindController({
  queue: "cronjob",
  group: "batch",
  resource: "cronjobs",
  kind: "CronJob",
  start: (d) => {
    const controller = new CronJobController(d.store, d.events("cronjob-controller"));
    return (ref) => controller.reconcile(ref);
  },
});
