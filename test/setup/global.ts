import type { LocalStack } from "../../infra/local/services";
import { prepareStack } from "./stack-env";

/**
 * Vitest loads a global setup file once per project that names it (integration and e2e), each in its own
 * module scope but in one process: the stack is shared through the process, started by the first project
 * and stopped by the last teardown.
 */
const SHARED = Symbol.for("timonier.test-stack");

interface Shared {
  stack: Promise<LocalStack>;
  users: number;
}

const holder = globalThis as { [SHARED]?: Shared };

/** Vitest global setup: the real services every integration and end-to-end suite talks to. */
export async function setup(): Promise<void> {
  holder[SHARED] ??= { stack: prepareStack(), users: 0 };
  const shared = holder[SHARED];
  shared.users++;
  await shared.stack;
}

export async function teardown(): Promise<void> {
  const shared = holder[SHARED];
  if (!shared || --shared.users > 0) return;
  delete holder[SHARED];
  // a stack that failed to start was reported by setup: nothing of it to stop
  const stack = await shared.stack.catch(() => undefined);
  await stack?.stop();
}
