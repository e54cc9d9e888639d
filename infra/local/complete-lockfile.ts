import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * The npm registry reachable here serves only this platform's builds of packages like @biomejs/cli-* or
 * @esbuild/*, so npm leaves the other platforms' optional packages out of package-lock.json — and then
 * `npm ci` refuses the lockfile as out of sync. Recording them as optional entries (which npm skips when
 * it cannot fetch them) keeps `npm ci` working. Runs after every `npm install`.
 */
interface LockPackage {
  version?: string;
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
}

const path = "package-lock.json";
if (existsSync(path)) {
  const lock = JSON.parse(readFileSync(path, "utf8")) as { packages: Record<string, LockPackage> };
  let added = 0;
  for (const [location, meta] of Object.entries(lock.packages)) {
    for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
      const nested = `${location ? `${location}/` : ""}node_modules/${name}`;
      if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
      lock.packages[nested] = { version, optional: true };
      added++;
    }
  }
  if (added > 0) writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
}
