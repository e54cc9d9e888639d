import { defineConfig } from "vitest/config";

const IGNORED = ["**/node_modules/**", ".timonier/**", ".scratch/**"];
const NEEDS_STACK = ["test/integration/**", "test/e2e/**"];

/** Suites against the real Postgres, Redis and Docker: the global setup brings them up (once for both). */
const withStack = {
  globalSetup: ["test/setup/global.ts"],
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // two cores: suites that drive Docker run two at a time
  maxWorkers: 2,
  // after the unit suites, which need another worker count and should fail first
  sequence: { groupOrder: 1 },
};

export default defineConfig({
  test: {
    projects: [
      {
        // pure tests beside the code: nothing to start, so `--project unit` runs in seconds on a bare machine
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: [...IGNORED, ...NEEDS_STACK],
          // CPU only: every core (vitest's default leaves one out, a single worker on two cores)
          maxWorkers: "100%",
          // the chart-render and supervisor suites spawn processes: room for a loaded CI host
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: IGNORED,
          ...withStack,
        },
      },
      { test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], exclude: IGNORED, ...withStack } },
    ],
  },
});
