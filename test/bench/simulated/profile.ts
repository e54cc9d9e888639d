import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The functions with the most self time in each V8 CPU profile of `dir`, as `name file:line  %`. */
export async function profileSummary(dir: string, count = 15): Promise<string> {
  const out: string[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as { nodes: ProfileNode[] };
    const self = new Map<string, number>();
    let total = 0;
    for (const n of profile.nodes) {
      const hits = n.hitCount ?? 0;
      total += hits;
      const { functionName, url, lineNumber } = n.callFrame;
      const where = url ? `${url.replace(/^.*\/(node_modules\/|dist\/)/, "$1")}:${lineNumber + 1}` : "";
      const key = `${functionName || "(anonymous)"} ${where}`.trim();
      self.set(key, (self.get(key) ?? 0) + hits);
    }
    out.push(`\n${file} (self time, ${total} samples)`);
    for (const [key, hits] of [...self].sort(([, a], [, b]) => b - a).slice(0, count))
      out.push(`  ${((hits / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
  }
  return out.join("\n");
}
