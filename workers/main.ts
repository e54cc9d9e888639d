import { loadConfig } from "../core/config";
import { answerLivenessPings, serveLivez } from "../core/liveness";
import { createLogger, startTelemetry } from "../core/telemetry";
import { startWorkers } from "./start";

const log = createLogger("workers");
const config = loadConfig();
const stopTelemetry = startTelemetry("timonier-workers", config.otlpEndpoint);
const workers = await startWorkers(config, { nodeAgent: config.nodeAgent });
log.info(`workers started (node ${config.nodeName})`);
answerLivenessPings();
const livez = config.livezPort ? await serveLivez(config.livezPort) : undefined;

let stopping: Promise<void> | undefined;
// SIGINT from a terminal reaches the whole process group, the supervisor's SIGTERM follows: stop once
const stop = () =>
  (stopping ??= (async () => {
    // a job that does not finish in time is taken up again by another worker: BullMQ's stalled-job check
    setTimeout(() => process.exit(1), 10_000).unref();
    livez?.close();
    await workers.close();
    await stopTelemetry();
    process.exit(0);
  })());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop());
