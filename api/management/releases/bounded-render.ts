import { Worker } from "node:worker_threads";
import { build } from "esbuild";
import type { KubeObject } from "../../../core/k8s/types";
import { projectPath } from "../../../core/paths";
import type { RenderedChart, renderRelease } from "../../../helm/template-command";

/** A chart to render and its options; `objects` is the cluster snapshot `lookup` reads, when it is used. */
export interface RenderJob {
  files: Record<string, string>;
  options: Omit<Parameters<typeof renderRelease>[1], "lookup"> & { objects?: KubeObject[] };
}

export type RenderOutcome = { rendered: RenderedChart } | { error: string; setSyntax: boolean };

/** How long and how much memory one render may take before it is stopped. */
export interface RenderLimits {
  timeoutMs: number;
  memoryMb: number;
}

/** A render stopped by a limit: the chart, not the platform, is at fault. */
export class RenderLimitExceeded extends Error {}

const ENTRY = projectPath("api", "management", "releases", "render-worker.ts");
let bundled: Promise<string> | undefined;

/** The worker's code as one script, built once per process: it runs the same way under tsx, vitest or node. */
function workerCode(): Promise<string> {
  bundled ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    write: false,
    legalComments: "none",
  }).then((r) => r.outputFiles[0]?.text ?? "");
  bundled.catch(() => {
    bundled = undefined;
  });
  return bundled;
}

/** Builds the worker's code ahead of the first install, so that no request pays for it. */
export function prepareRenderer(): void {
  void workerCode().catch(() => undefined);
}

/**
 * Renders off the event loop, in a worker thread with a heap ceiling and a deadline: a chart that loops for
 * ever or grows without end is stopped and reported, while the API goes on serving everyone else.
 */
export async function renderBounded(job: RenderJob, limits: RenderLimits): Promise<RenderOutcome> {
  const worker = new Worker(await workerCode(), {
    eval: true,
    workerData: job,
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: 32 },
    stdout: true,
    stderr: true,
  });
  return new Promise<RenderOutcome>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new RenderLimitExceeded(`rendering took longer than the limit of ${limits.timeoutMs / 1000}s`));
      void worker.terminate();
    }, limits.timeoutMs);
    worker.once("message", (outcome: RenderOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
      void worker.terminate();
    });
    worker.once("error", (err: Error & { code?: string }) => {
      clearTimeout(timer);
      reject(
        err.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? new RenderLimitExceeded(`rendering used more than the limit of ${limits.memoryMb} MiB of memory`)
          : err,
      );
    });
    worker.once("exit", () => {
      clearTimeout(timer);
      reject(new RenderLimitExceeded("rendering stopped before it finished"));
    });
  });
}
