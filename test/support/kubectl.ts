import { execFile } from "node:child_process";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl (KUBECTL overrides the binary, e.g. kubectl.1.27) against a kubeconfig. */
export function kubectl(
  kubeconfig: string,
  args: string[],
  options: { timeoutMs?: number; input?: string } = {},
) {
  return new Promise<KubectlResult>((resolve) => {
    const child = execFile(
      process.env.KUBECTL ?? "kubectl",
      ["--kubeconfig", kubeconfig, ...args],
      { timeout: options.timeoutMs ?? 60_000, env: { ...process.env, HOME: process.env.HOME ?? "/root" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) {
      child.stdin?.end(options.input);
    }
  });
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
