/**
 * Answers the supervisor's "ping" over the IPC channel it started this process with (`npm start`): a
 * process whose event loop is stuck cannot answer, and is restarted.
 */
export function answerLivenessPings(): void {
  process.on("message", (m) => {
    if (m === "ping") process.send?.("pong");
  });
}
