import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/**
 * A path inside the project (migrations, the chart catalog, sources built at run time), found from wherever
 * this code runs: its TypeScript sources under tsx or vitest, or a bundle in `dist/`.
 */
export function projectPath(...segments: string[]): string {
  if (!root) {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (;;) {
      const manifest = join(dir, "package.json");
      if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "timonier") break;
      const up = dirname(dir);
      if (up === dir) throw new Error("the project's package.json was not found above this code");
      dir = up;
    }
    root = dir;
  }
  return join(root, ...segments);
}
