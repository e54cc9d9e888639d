import type { LocalStack } from "../../infra/local/services";
import { prepareStack } from "./stack-env";

let stack: LocalStack | undefined;

/** Vitest global setup: the real services every integration and end-to-end suite talks to. */
export async function setup(): Promise<void> {
  stack = await prepareStack();
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}
