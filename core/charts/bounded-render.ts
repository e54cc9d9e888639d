import { fork } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { RenderedChart, renderRelease } from "../../helm/template-command";
import type { KubeObject } from "../k8s/types";
import { projectPath } from "../paths";

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

const ENTRY = projectPath("core", "charts", "render-worker.ts");
let bundled: Promise<string> | undefined;

/**
 * The render process's code as one script file, built once per process: it runs the same way under tsx,
 * vitest or node, with nothing but node's own modules at run time.
 */
function workerScript(): Promise<string> {
  bundled ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    write: false,
    legalComments: "none",
  }).then(async (r) => {
    const dir = await mkdtemp(join(tmpdir(), "timonier-render-"));
    const file = join(dir, "render.cjs");
    await writeFile(file, r.outputFiles[0]?.text ?? "");
    return file;
  });
  bundled.catch(() => {
    bundled = undefined;
  });
  return bundled;
}

/** Builds the render process's code ahead of the first install, so that no request or reconcile pays for it. */
export function prepareRenderer(): void {
  void workerScript().catch(() => undefined);
}

/**
 * Renders off the event loop, in a process of its own with a heap ceiling and a deadline: a chart that
 * loops for ever or grows without end is stopped and reported, while the API (or the worker) goes on serving
 * everyone else. A process, not a worker thread: V8 can abort the whole process when a worker thread's heap
 * limit is hit during a young-generation allocation, which a chart would turn into a crash of the API.
 */
export async function renderBounded(job: RenderJob, limits: RenderLimits): Promise<RenderOutcome> {
  const child = fork(await workerScript(), [], {
    execArgv: [`--max-old-space-size=${limits.memoryMb}`],
    serialization: "advanced",
    stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
  return new Promise<RenderOutcome>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      settle(() =>
        reject(
          new RenderLimitExceeded(`rendering took longer than the limit of ${limits.timeoutMs / 1000}s`),
        ),
      );
      child.kill("SIGKILL");
    }, limits.timeoutMs);
    child.once("message", (outcome: RenderOutcome) => settle(() => resolve(outcome)));
    child.once("error", (err) => settle(() => reject(err)));
    child.once("exit", (code, signal) =>
      settle(() =>
        reject(
          new RenderLimitExceeded(
            code === 0
              ? "rendering stopped before it finished"
              : `rendering used more than the limit of ${limits.memoryMb} MiB of memory (${signal ?? `exit ${code}`})`,
          ),
        ),
      ),
    );
    child.send(job);
  });
}
