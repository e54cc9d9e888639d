import { spawnSync } from "node:child_process";

/**
 * `npm test`: every vitest project (unit, integration, e2e; vitest.config.ts); the integration and e2e
 * projects' global setup brings the local stack up first, and only when one of their suites is selected.
 */
const result = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 1);
