import { loadConfig } from "../core/config";
import { answerLivenessPings } from "../core/liveness";
import { createLogger, startTelemetry } from "../core/telemetry";
import { startApiServer } from "./server";

const log = createLogger("api");
const config = loadConfig();
const stopTelemetry = startTelemetry("timonier-api", config.otlpEndpoint);
const api = await startApiServer(config);
log.warn(`API listening on ${api.url}`);
answerLivenessPings();

/** Requests in progress get this long to finish on SIGTERM; then the process exits whatever happens. */
const GRACE_MS = 5000;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    setTimeout(() => process.exit(1), GRACE_MS * 2).unref();
    await api.close(GRACE_MS);
    await stopTelemetry();
    process.exit(0);
  });
}
