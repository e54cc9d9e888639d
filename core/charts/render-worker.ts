import { lookupIn } from "../../helm/lookup";
import { SetSyntaxError } from "../../helm/strvals";
import { renderRelease } from "../../helm/template-command";
import type { RenderJob, RenderOutcome } from "./bounded-render";

/** A render process's one job, sent over IPC: render a release's chart (pure) and send the outcome back. */
process.once("message", (job: RenderJob) => {
  let outcome: RenderOutcome;
  try {
    const { objects, ...options } = job.options;
    outcome = {
      rendered: renderRelease(job.files, { ...options, ...(objects ? { lookup: lookupIn(objects) } : {}) }),
    };
  } catch (err) {
    outcome = { error: (err as Error).message, setSyntax: err instanceof SetSyntaxError };
  }
  process.send?.(outcome, () => process.exit(0));
});
