import { parentPort, workerData } from "node:worker_threads";
import { lookupIn } from "../../../helm/lookup";
import { SetSyntaxError } from "../../../helm/strvals";
import { renderRelease } from "../../../helm/template-command";
import type { RenderJob, RenderOutcome } from "./bounded-render";

/** A worker thread's one job: render a release's chart (pure) and post the outcome. */
const job = workerData as RenderJob;
let outcome: RenderOutcome;
try {
  const { objects, ...options } = job.options;
  outcome = {
    rendered: renderRelease(job.files, { ...options, ...(objects ? { lookup: lookupIn(objects) } : {}) }),
  };
} catch (err) {
  outcome = { error: (err as Error).message, setSyntax: err instanceof SetSyntaxError };
}
parentPort?.postMessage(outcome);
