import { spawnSync } from "node:child_process";

/** `npm test`: every suite through vitest; the global setup brings the local stack up first. */
const result = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 1);
