import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parse } from "yaml";

/** A chart as the management API takes it: a catalog chart by name, a packaged chart, or a directory's files. */
export type ChartBody = { catalog: string } | { archive: string } | { files: Record<string, string> };

/** A chart given by path (with a '/' or ending in .tgz) rather than by its catalog name. */
export const isLocal = (chart: string) => chart.includes("/") || chart.endsWith(".tgz");

/** A chart directory's files by chart-relative path, packaged subcharts base64-encoded as the API expects them. */
function directoryFiles(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else {
        const name = relative(root, file);
        const bytes = readFileSync(file);
        files[name] = /^charts\/[^/]+\.tgz$/.test(name) ? bytes.toString("base64") : bytes.toString("utf8");
      }
    }
  };
  walk(root);
  return files;
}

/** The SHA-256 of what a body uploads: a local chart's contents, whatever its version says. */
export function chartDigest(body: ChartBody): string | null {
  if ("catalog" in body) return null;
  const hash = createHash("sha256");
  if ("archive" in body) hash.update(Buffer.from(body.archive, "base64"));
  else
    for (const name of Object.keys(body.files).sort())
      hash.update(`${name}\0${body.files[name]?.length}\0${body.files[name]}`);
  return hash.digest("hex");
}

/** The chart as the management API takes it, its files read now. */
export function chartBody(chart: string): ChartBody {
  if (!isLocal(chart)) return { catalog: chart };
  const path = resolve(chart);
  if (chart.endsWith(".tgz")) return { archive: readFileSync(path).toString("base64") };
  return { files: directoryFiles(path) };
}

/**
 * A local chart as a plan sees it: the digest of its contents and, for a directory, the version its
 * Chart.yaml gives; null for a catalog chart or a path that cannot be read now.
 */
export function localChart(chart: unknown): { digest: string | null; version: string | null } | null {
  if (typeof chart !== "string" || !isLocal(chart)) return null;
  let body: ChartBody;
  try {
    body = chartBody(chart);
  } catch {
    return null;
  }
  let version: string | null = null;
  if ("files" in body) {
    try {
      const meta = parse(body.files["Chart.yaml"] ?? "") as { version?: unknown } | null;
      if (meta?.version !== undefined) version = String(meta.version);
    } catch {
      // the API says what is wrong with it at apply
    }
  }
  return { digest: chartDigest(body), version };
}
