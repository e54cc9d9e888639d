import { loadConfig } from "../core/config";
import { answerLivenessPings } from "../core/liveness";
import { createLogger, startTelemetry } from "../core/telemetry";
import { startApiServer } from "./server";

const log = createLogger("api");
const config = loadConfig();
const stopTelemetry = startTelemetry("timonier-api", config.otlpEndpoint);
const api = await startApiServer(config);
log.info(`API listening on ${api.url}`);
answerLivenessPings();

/** Requests in progress get this long to finish on SIGTERM; then the process exits whatever happens. */
const GRACE_MS = 5000;
let stopping: Promise<void> | undefined;
// SIGINT from a terminal reaches the whole process group, the supervisor's SIGTERM follows: stop once
const stop = () =>
  (stopping ??= (async () => {
    setTimeout(() => process.exit(1), GRACE_MS * 2).unref();
    await api.close(GRACE_MS);
    await stopTelemetry();
    process.exit(0);
  })());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop());
