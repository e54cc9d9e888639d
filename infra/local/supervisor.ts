import type { ChildProcess } from "node:child_process";

export interface SupervisedOptions {
  name: string;
  start(): ChildProcess;
  /** Whether the process answers its health check; a check that takes longer than `timeoutMs` fails. */
  healthy(child: ChildProcess): Promise<boolean>;
  intervalMs?: number;
  timeoutMs?: number;
  /** Consecutive failed checks before the process is killed and started again. */
  failures?: number;
  restartDelayMs?: number;
  /** Failed checks of a process that has not yet passed one count only after this long (start-up). */
  startupMs?: number;
  log(message: string): void;
}

export interface Supervised {
  readonly current: ChildProcess;
  /** How many times the process was started again. */
  readonly restarts: number;
  /** Stops supervising and sends `signal`; SIGKILL after `graceMs`. Resolves once the process is gone. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
}

function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

/**
 * Keeps one process running as a supervisor would: started again when it exits, and killed then started
 * again when it stops answering its health check (alive but stuck, e.g. a blocked event loop), which an
 * exit watcher alone never notices.
 */
export function supervise(o: SupervisedOptions): Supervised {
  const intervalMs = o.intervalMs ?? 5000;
  const timeoutMs = o.timeoutMs ?? 2000;
  const allowed = o.failures ?? 3;
  let child = o.start();
  let startedAt = Date.now();
  let passedOnce = false;
  let restarts = 0;
  let failed = 0;
  let stopping = false;
  let checking = false;

  const watch = (c: ChildProcess) =>
    c.once("exit", (code, signal) => {
      if (stopping) return;
      o.log(`[${o.name}] exited (${signal ?? code}); starting it again`);
      setTimeout(() => {
        if (stopping) return;
        child = o.start();
        startedAt = Date.now();
        passedOnce = false;
        restarts++;
        failed = 0;
        watch(child);
      }, o.restartDelayMs ?? 1000);
    });
  watch(child);

  const timer = setInterval(async () => {
    if (checking || stopping || child.exitCode !== null || child.signalCode !== null) return;
    checking = true;
    const ok = await within(o.healthy(child), timeoutMs, false);
    checking = false;
    passedOnce ||= ok;
    const starting = !passedOnce && Date.now() - startedAt < (o.startupMs ?? 60_000);
    failed = ok || starting ? 0 : failed + 1;
    if (failed >= allowed && !stopping) {
      o.log(`[${o.name}] did not answer ${failed} health checks; killing it`);
      failed = 0;
      child.kill("SIGKILL");
    }
  }, intervalMs);

  return {
    get current() {
      return child;
    },
    get restarts() {
      return restarts;
    },
    stop(signal, graceMs) {
      stopping = true;
      clearInterval(timer);
      return new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill(signal);
        setTimeout(() => child.kill("SIGKILL"), graceMs).unref();
      });
    },
  };
}

/** The health check of a process started with an IPC channel: it answers "ping" with "pong". */
export function answersPing(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    if (!child.connected) return resolve(false);
    const onMessage = (m: unknown) => {
      if (m !== "pong") return;
      child.off("message", onMessage);
      resolve(true);
    };
    child.on("message", onMessage);
    child.send("ping", (err) => {
      if (err) {
        child.off("message", onMessage);
        resolve(false);
      }
    });
  });
}
