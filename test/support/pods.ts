import { expect } from "vitest";
import { eventually, kubectl } from "./kubectl";

/**
 * kubectl bound to one student's kubeconfig (read when called, as suites set it in beforeAll), with the
 * steps pod probes repeat: apply a manifest (no complaint on stderr), read a pod as `P`, wait for Running.
 */
export function studentPods<P extends { status: { phase?: string } }>(kubeconfig: () => string) {
  const k = (...args: string[]) => kubectl(kubeconfig(), args, { timeoutMs: 30_000 });
  const apply = async (manifest: string) => {
    const out = await kubectl(kubeconfig(), ["apply", "-f", "-"], { input: manifest, timeoutMs: 30_000 });
    expect(out.stderr).toBe("");
  };
  const get = async (name: string) => JSON.parse((await k("get", "pod", name, "-o", "json")).stdout) as P;
  const running = (name: string) =>
    eventually(
      async () => ((await get(name)).status.phase === "Running" ? true : undefined),
      60_000,
      `${name} Running`,
    );
  return { k, apply, get, running };
}
