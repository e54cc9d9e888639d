import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProcesses } from "../../infra/build/processes";
import { eventually } from "../support/kubectl";
import { freePort } from "../support/platform";

/** The bundles production runs (npm start, the image, the chart) start on plain node and serve. */
describe("the platform's bundles", () => {
  it("build, migrate a database and serve the API on plain node", async () => {
    await buildProcesses();
    const migrated = await new Promise<number | null>((resolve) =>
      spawn(process.execPath, ["dist/migrate.mjs"], { stdio: "ignore" }).on("exit", resolve),
    );
    expect(migrated).toBe(0);
    const [port, tlsPort] = [await freePort(), await freePort()];
    const dataDir = await mkdtemp(join(tmpdir(), "timonier-bundle-"));
    const api = spawn(process.execPath, ["--enable-source-maps", "dist/api.mjs"], {
      env: {
        ...process.env,
        TIMONIER_PORT: String(port),
        TIMONIER_TLS_PORT: String(tlsPort),
        TIMONIER_DATA_DIR: dataDir,
        TIMONIER_ADMIN_TOKEN: randomBytes(24).toString("hex"),
      },
      stdio: "ignore",
    });
    try {
      await eventually(
        async () => ((await fetch(`http://127.0.0.1:${port}/livez`)).ok ? true : undefined),
        30_000,
        "the bundled API answering",
      );
      const spec = (await (await fetch(`http://127.0.0.1:${port}/v1/openapi.json`)).json()) as {
        paths: object;
      };
      expect(Object.keys(spec.paths)).toContain("/clusters");
    } finally {
      api.kill("SIGTERM");
      await new Promise((r) => api.once("exit", r));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
