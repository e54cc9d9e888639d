import { loadConfig } from "../core/config";
import { createLogger, startTelemetry } from "../core/telemetry";
import { startWorkers } from "./start";

const log = createLogger("workers");
const config = loadConfig();
const stopTelemetry = startTelemetry("timonier-workers", config.otlpEndpoint);
const workers = await startWorkers(config, { nodeAgent: process.env.TIMONIER_NODE_AGENT !== "false" });
log.warn(`workers started (node ${config.nodeName})`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    await workers.close();
    await stopTelemetry();
    process.exit(0);
  });
}
