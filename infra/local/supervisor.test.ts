import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { answersPing, supervise } from "./supervisor";

const CHILD = `
process.on("message", (m) => {
  if (m === "ping") process.send("pong");
  if (m === "hang") for (;;) {}
  if (m === "exit") process.exit(3);
});
setInterval(() => {}, 1000);
`;

const start = () => spawn(process.execPath, ["-e", CHILD], { stdio: ["ignore", "ignore", "ignore", "ipc"] });

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitForAsync(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the local supervisor", () => {
  const options = {
    intervalMs: 100,
    timeoutMs: 150,
    failures: 2,
    restartDelayMs: 50,
    // a node process starts in a fraction of a second, in seconds on a machine busy with other suites
    startupMs: 5000,
    log: () => {},
  };

  it("kills and restarts a process that is alive but no longer answers its health check", async () => {
    const s = supervise({ name: "stuck", start, healthy: answersPing, ...options });
    const first = s.current;
    await waitForAsync(() => answersPing(first), 10_000);
    first.send("hang");
    await waitFor(() => s.restarts === 1, 10_000);
    expect(first.signalCode).toBe("SIGKILL");
    await waitForAsync(() => answersPing(s.current), 10_000);
    await s.stop("SIGTERM", 1000);
  });

  it("starts again a process that exits, and lets a stopped one go", async () => {
    const s = supervise({ name: "exits", start, healthy: answersPing, ...options });
    s.current.send("exit");
    await waitFor(() => s.restarts === 1, 10_000);
    const last = s.current;
    await s.stop("SIGTERM", 1000);
    expect(last.exitCode !== null || last.signalCode !== null).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.restarts).toBe(1);
  });

  it("gives a process that has never answered its start-up time before counting its silence", async () => {
    const silent = () =>
      spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
        stdio: ["ignore", "ignore", "ignore", "ipc"],
      });
    const s = supervise({ name: "slow", start: silent, healthy: answersPing, ...options, startupMs: 800 });
    await new Promise((r) => setTimeout(r, 600));
    expect(s.restarts).toBe(0);
    await waitFor(() => s.restarts === 1, 5000);
    await s.stop("SIGTERM", 1000);
  });
});
