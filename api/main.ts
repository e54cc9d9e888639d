import { loadConfig } from "../core/config";
import { createLogger, startTelemetry } from "../core/telemetry";
import { startApiServer } from "./server";

const log = createLogger("api");
const config = loadConfig();
const stopTelemetry = startTelemetry("timonier-api", config.otlpEndpoint);
const api = await startApiServer(config);
log.warn(`API listening on ${api.url}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    await api.close();
    await stopTelemetry();
    process.exit(0);
  });
}
