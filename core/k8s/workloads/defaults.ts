import { randomUUID } from "node:crypto";
import { defaultPod } from "../defaults/pod";
import { JOB_NAME_LABEL, JOB_UID_LABEL, type Job } from "./types";

/** kube-apiserver's Job defaults: a generated selector and labels tying pods to this job's uid. */
export function defaultJob(job: Job): Job {
  const spec = job.spec;
  job.metadata.uid ??= randomUUID();
  spec.parallelism ??= 1;
  if (spec.completions === undefined && spec.parallelism === 1) spec.completions = 1;
  spec.backoffLimit ??= spec.completionMode === "Indexed" ? 2147483647 : 6;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  const uid = job.metadata.uid;
  const name = job.metadata.name ?? "";
  const tie = { [JOB_UID_LABEL]: uid, [JOB_NAME_LABEL]: name, "controller-uid": uid, "job-name": name };
  if (!spec.manualSelector) spec.selector = { matchLabels: { [JOB_UID_LABEL]: uid } };
  spec.template.metadata = {
    ...spec.template.metadata,
    labels: { ...spec.template.metadata?.labels, ...tie },
  };
  const pod = defaultPod({ apiVersion: "v1", kind: "Pod", metadata: {}, spec: spec.template.spec });
  spec.template.spec = pod.spec;
  return job;
}
