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

/** A terminal size from the resize channel. */
export interface TerminalSize {
  width: number;
  height: number;
}

/**
 * The body of a resize message (kubectl's TerminalSize, `{"Width":80,"Height":24}`), or undefined for
 * anything else: the body comes straight from the client, so nothing here may throw. Keys match without
 * regard to case and sizes are uint16, as Go's decoder reads them into the kubelet's TerminalSize; a zero
 * size is no size.
 */
export function parseResize(body: Buffer | string): TerminalSize | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString());
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const field = (name: string) => {
    const entry = Object.entries(value).find(([key]) => key.toLowerCase() === name);
    const n = entry?.[1];
    return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : undefined;
  };
  const width = field("width");
  const height = field("height");
  return width && height ? { width, height } : undefined;
}
