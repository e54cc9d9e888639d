import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { projectPath } from "../paths";

const CATALOG = projectPath("helm", "catalog");

/** The built-in charts for the classroom, by name: their files, read once. */
const charts = new Map<string, Record<string, string>>();

/** A chart directory's files by chart-relative path, as `helm` reads a chart from disk, less what `skip` names. */
export function chartDirectory(
  root: string,
  skip: (path: string) => boolean = () => false,
): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (!skip(relative(root, path))) files[relative(root, path)] = readFileSync(path, "utf8");
    }
  };
  walk(root);
  return files;
}

export function catalogChart(name: string): Record<string, string> | undefined {
  if (!/^[a-z0-9-]+$/.test(name)) return undefined;
  const cached = charts.get(name);
  if (cached) return cached;
  let files: Record<string, string>;
  try {
    files = chartDirectory(join(CATALOG, name));
  } catch {
    return undefined;
  }
  charts.set(name, files);
  return files;
}

export function catalogNames(): string[] {
  return readdirSync(CATALOG, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

export interface CatalogEntry {
  name: string;
  version: string;
  appVersion: string;
  description: string;
}

/** Every catalog chart's name, version, appVersion and description, from its Chart.yaml. */
export function catalogEntries(): CatalogEntry[] {
  return catalogNames().flatMap((name) => {
    const meta = parse(catalogChart(name)?.["Chart.yaml"] ?? "") as Record<string, unknown> | null;
    if (!meta) return [];
    const text = (key: string) => (meta[key] === undefined ? "" : String(meta[key]));
    return [
      { name, version: text("version"), appVersion: text("appVersion"), description: text("description") },
    ];
  });
}
