import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", ".timonier/**", ".scratch/**"],
    globalSetup: ["test/setup/global.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // two cores: suites that drive Docker run two at a time
    maxWorkers: 2,
  },
});
