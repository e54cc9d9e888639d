/**
 * Kubernetes' remotecommand streaming over WebSocket (v4/v5.channel.k8s.io): every binary message starts
 * with a channel byte. v5 adds a close message so the client can end stdin.
 */
export const PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** The final message on the error channel: success, or the exit code kubectl turns into its own. */
export function exitStatus(exitCode: number, command: string[]): string {
  if (exitCode === 0) return JSON.stringify({ metadata: {}, status: "Success" });
  return JSON.stringify({
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${exitCode}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] },
  });
}

export function failureStatus(message: string): string {
  return JSON.stringify({ metadata: {}, status: "Failure", message, reason: "InternalError", code: 500 });
}
