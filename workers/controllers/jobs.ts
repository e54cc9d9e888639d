import { KubeError } from "../../core/k8s/errors";
import { generateName, isControlledBy } from "../../core/k8s/owners";
import { podFromTemplate } from "../../core/k8s/pods";
import type { Pod } from "../../core/k8s/types";
import { JOB_INDEX_KEY, type Job } from "../../core/k8s/workloads/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import { isNamespaceTerminating } from "../../db/object-writer/prepare";
import type { ObjectStore } from "../../db/store";
import { kindController } from "../controller";
import type { EventRecorder } from "../events";
import { deletePodGracefully } from "../pod-deletion";
import type { Result } from "../shell";
import { planJob } from "./job-plan";
import { REFUSED_RETRY_MS, refusedCreate } from "./owned-pods";
import { writeStatus } from "./write-status";
import { controllerWrites } from "./writes";

/**
 * The pod of one completion index, as the Job controller makes it: the index in an annotation, a label,
 * the hostname (`job-3`) and JOB_COMPLETION_INDEX in every container's environment.
 */
function indexedPod(job: Job, namespace: string, index: number): Pod {
  const pod = podFromTemplate(job, job.spec.template, namespace);
  const prefix = `${job.metadata.name}-${index}-`;
  pod.metadata.name = generateName(prefix);
  pod.metadata.generateName = prefix;
  pod.metadata.annotations = { ...pod.metadata.annotations, [JOB_INDEX_KEY]: String(index) };
  pod.metadata.labels = { ...pod.metadata.labels, [JOB_INDEX_KEY]: String(index) };
  pod.spec.hostname ??= `${job.metadata.name}-${index}`;
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers])
    c.env = [
      ...(c.env ?? []).filter((e) => e.name !== "JOB_COMPLETION_INDEX"),
      { name: "JOB_COMPLETION_INDEX", value: String(index) },
    ];
  return pod;
}

/** Runs a Job's pods to completion (see job-plan.ts). */
export class JobController {
  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const jobKey: ObjectKey = {
      clusterId: ref.clusterId,
      group: "batch",
      resource: "jobs",
      namespace: ref.namespace,
      name: ref.name,
    };
    const job = (await this.store.get(jobKey)) as Job | undefined;
    if (!job) return {};
    const { items } = await this.store.list({
      clusterId: ref.clusterId,
      group: "",
      resource: "pods",
      namespace: ref.namespace,
    });
    const pods = items.filter((p) => isControlledBy(p, job)) as Pod[];
    const now = this.now();
    const plan = planJob(job, pods, now);
    if (plan.expired) {
      await this.store.delete(jobKey, { uid: job.metadata.uid ?? "" }).catch(() => undefined);
      return {};
    }
    let refused: string | undefined;
    const writes = controllerWrites(this.store, this.now);
    for (let i = 0; i < plan.create && !refused; i++) {
      const index = plan.indexes?.[i];
      const pod =
        index === undefined
          ? podFromTemplate(job, job.spec.template, ref.namespace)
          : indexedPod(job, ref.namespace, index);
      const name = pod.metadata.name ?? "";
      try {
        await writes.create({ ...jobKey, group: "", resource: "pods", name }, pod);
        await this.events.record(ref.clusterId, job, "Normal", "SuccessfulCreate", `Created pod: ${name}`);
      } catch (err) {
        if (isNamespaceTerminating(err)) break;
        if (!(err instanceof KubeError && err.code === 409))
          refused = await refusedCreate(this.events, ref.clusterId, job, err);
      }
    }
    for (const name of plan.remove) {
      const pod = pods.find((p) => p.metadata.name === name);
      if (pod)
        await deletePodGracefully(this.store, { ...jobKey, group: "", resource: "pods", name }, pod, now);
    }
    const before = job.status?.conditions?.length ?? 0;
    await writeStatus(this.store, jobKey, job.metadata.uid ?? "", plan.status);
    const finished = plan.status.conditions
      ?.slice(before)
      .find((c) => c.type === "Complete" || c.type === "Failed");
    if (finished?.type === "Complete")
      await this.events.record(ref.clusterId, job, "Normal", "Completed", "Job completed");
    if (finished?.type === "Failed") {
      await this.events.record(
        ref.clusterId,
        job,
        "Warning",
        finished.reason ?? "Failed",
        finished.message ?? "Job failed",
      );
    }
    const requeue = refused
      ? Math.min(plan.requeueAfterMs ?? REFUSED_RETRY_MS, REFUSED_RETRY_MS)
      : plan.requeueAfterMs;
    return requeue === undefined ? {} : { requeueAfterMs: requeue };
  }
}

export const jobController = kindController({
  queue: "job",
  group: "batch",
  resource: "jobs",
  kind: "Job",
  start: (d) => {
    const controller = new JobController(d.store, d.events("job-controller"));
    return (ref) => controller.reconcile(ref);
  },
});
