import { build, stop } from "esbuild";
import { projectPath } from "../../core/paths";

/** The processes the platform runs, each one bundle in dist/ (`node dist/api.mjs`, …). */
const ENTRIES = { api: "api/main.ts", workers: "workers/main.ts", migrate: "db/migrate.ts" };

/**
 * Bundles the platform's own code once, so production processes start on plain node rather than
 * transpiling at every start under tsx; node_modules stay outside the bundles, as installed.
 */
export async function buildProcesses(): Promise<void> {
  await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, path]) => [name, projectPath(path)])),
    outdir: projectPath("dist"),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
  });
  // esbuild's service would otherwise outlive the build for as long as its caller (npm start) runs
  await stop();
}
